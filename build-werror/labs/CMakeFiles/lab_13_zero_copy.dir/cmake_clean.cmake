file(REMOVE_RECURSE
  "../bin/lab_13_zero_copy"
  "../bin/lab_13_zero_copy.pdb"
  "CMakeFiles/lab_13_zero_copy.dir/13-zero-copy/main.c.o"
  "CMakeFiles/lab_13_zero_copy.dir/13-zero-copy/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_13_zero_copy.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
