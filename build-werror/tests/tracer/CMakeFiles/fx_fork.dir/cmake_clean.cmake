file(REMOVE_RECURSE
  "CMakeFiles/fx_fork.dir/fixtures/fx_fork.c.o"
  "CMakeFiles/fx_fork.dir/fixtures/fx_fork.c.o.d"
  "fixtures/fx_fork"
  "fixtures/fx_fork.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_fork.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
