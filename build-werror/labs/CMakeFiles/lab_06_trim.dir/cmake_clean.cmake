file(REMOVE_RECURSE
  "../bin/lab_06_trim"
  "../bin/lab_06_trim.pdb"
  "CMakeFiles/lab_06_trim.dir/06-trim/main.c.o"
  "CMakeFiles/lab_06_trim.dir/06-trim/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_06_trim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
