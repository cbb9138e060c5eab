file(REMOVE_RECURSE
  "CMakeFiles/fx_closefds.dir/fixtures/fx_closefds.c.o"
  "CMakeFiles/fx_closefds.dir/fixtures/fx_closefds.c.o.d"
  "fixtures/fx_closefds"
  "fixtures/fx_closefds.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_closefds.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
