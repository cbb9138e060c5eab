file(REMOVE_RECURSE
  "../bin/lab_01_heap_start"
  "../bin/lab_01_heap_start.pdb"
  "CMakeFiles/lab_01_heap_start.dir/01-heap-start/main.c.o"
  "CMakeFiles/lab_01_heap_start.dir/01-heap-start/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_01_heap_start.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
