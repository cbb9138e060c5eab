file(REMOVE_RECURSE
  "../bin/lab_04_mmap_threshold"
  "../bin/lab_04_mmap_threshold.pdb"
  "CMakeFiles/lab_04_mmap_threshold.dir/04-mmap-threshold/main.c.o"
  "CMakeFiles/lab_04_mmap_threshold.dir/04-mmap-threshold/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_04_mmap_threshold.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
