file(REMOVE_RECURSE
  "CMakeFiles/fx_threads.dir/fixtures/fx_threads.c.o"
  "CMakeFiles/fx_threads.dir/fixtures/fx_threads.c.o.d"
  "fixtures/fx_threads"
  "fixtures/fx_threads.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_threads.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
