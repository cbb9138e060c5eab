file(REMOVE_RECURSE
  "../../bin/test_record"
  "../../bin/test_record.pdb"
  "CMakeFiles/test_record.dir/test_record.c.o"
  "CMakeFiles/test_record.dir/test_record.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_record.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
