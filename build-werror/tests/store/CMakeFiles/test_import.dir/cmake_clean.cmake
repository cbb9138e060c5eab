file(REMOVE_RECURSE
  "../../bin/test_import"
  "../../bin/test_import.pdb"
  "CMakeFiles/test_import.dir/test_import.c.o"
  "CMakeFiles/test_import.dir/test_import.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_import.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
