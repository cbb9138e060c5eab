file(REMOVE_RECURSE
  "../bin/bench_workload"
  "../bin/bench_workload.pdb"
  "CMakeFiles/bench_workload.dir/workload.c.o"
  "CMakeFiles/bench_workload.dir/workload.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_workload.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
