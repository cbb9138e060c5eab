file(REMOVE_RECURSE
  "CMakeFiles/fx_ctor.dir/fixtures/fx_ctor.c.o"
  "CMakeFiles/fx_ctor.dir/fixtures/fx_ctor.c.o.d"
  "fixtures/fx_ctor"
  "fixtures/fx_ctor.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_ctor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
