file(REMOVE_RECURSE
  "../bin/lab_07_bins"
  "../bin/lab_07_bins.pdb"
  "CMakeFiles/lab_07_bins.dir/07-bins/main.c.o"
  "CMakeFiles/lab_07_bins.dir/07-bins/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_07_bins.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
