file(REMOVE_RECURSE
  "../bin/lab_05_page_faults"
  "../bin/lab_05_page_faults.pdb"
  "CMakeFiles/lab_05_page_faults.dir/05-page-faults/main.c.o"
  "CMakeFiles/lab_05_page_faults.dir/05-page-faults/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_05_page_faults.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
