file(REMOVE_RECURSE
  "../../bin/test_lab"
  "../../bin/test_lab.pdb"
  "CMakeFiles/test_lab.dir/test_lab.c.o"
  "CMakeFiles/test_lab.dir/test_lab.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lab.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
