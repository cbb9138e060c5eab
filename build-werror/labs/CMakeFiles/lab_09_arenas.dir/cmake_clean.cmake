file(REMOVE_RECURSE
  "../bin/lab_09_arenas"
  "../bin/lab_09_arenas.pdb"
  "CMakeFiles/lab_09_arenas.dir/09-arenas/main.c.o"
  "CMakeFiles/lab_09_arenas.dir/09-arenas/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_09_arenas.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
