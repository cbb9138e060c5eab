file(REMOVE_RECURSE
  "../bin/lab_11_pools"
  "../bin/lab_11_pools.pdb"
  "CMakeFiles/lab_11_pools.dir/11-pools/main.c.o"
  "CMakeFiles/lab_11_pools.dir/11-pools/main.c.o.d"
  "CMakeFiles/lab_11_pools.dir/11-pools/pools.c.o"
  "CMakeFiles/lab_11_pools.dir/11-pools/pools.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_11_pools.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
