file(REMOVE_RECURSE
  "../bin/lab_02_first_malloc"
  "../bin/lab_02_first_malloc.pdb"
  "CMakeFiles/lab_02_first_malloc.dir/02-first-malloc/main.c.o"
  "CMakeFiles/lab_02_first_malloc.dir/02-first-malloc/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_02_first_malloc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
