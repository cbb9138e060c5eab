file(REMOVE_RECURSE
  "CMakeFiles/fx_basic.dir/fixtures/fx_basic.c.o"
  "CMakeFiles/fx_basic.dir/fixtures/fx_basic.c.o.d"
  "fixtures/fx_basic"
  "fixtures/fx_basic.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_basic.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
