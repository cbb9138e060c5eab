file(REMOVE_RECURSE
  "CMakeFiles/fx_bench.dir/fixtures/fx_bench.c.o"
  "CMakeFiles/fx_bench.dir/fixtures/fx_bench.c.o.d"
  "fixtures/fx_bench"
  "fixtures/fx_bench.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_bench.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
