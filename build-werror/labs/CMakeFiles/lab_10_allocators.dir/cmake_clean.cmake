file(REMOVE_RECURSE
  "../bin/lab_10_allocators"
  "../bin/lab_10_allocators.pdb"
  "CMakeFiles/lab_10_allocators.dir/10-allocators/main.c.o"
  "CMakeFiles/lab_10_allocators.dir/10-allocators/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_10_allocators.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
