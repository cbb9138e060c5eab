file(REMOVE_RECURSE
  "CMakeFiles/fx_sys.dir/fixtures/fx_sys.c.o"
  "CMakeFiles/fx_sys.dir/fixtures/fx_sys.c.o.d"
  "fixtures/fx_sys"
  "fixtures/fx_sys.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_sys.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
