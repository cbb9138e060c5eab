file(REMOVE_RECURSE
  "CMakeFiles/fx_exec.dir/fixtures/fx_exec.c.o"
  "CMakeFiles/fx_exec.dir/fixtures/fx_exec.c.o.d"
  "fixtures/fx_exec"
  "fixtures/fx_exec.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_exec.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
