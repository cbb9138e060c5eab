file(REMOVE_RECURSE
  "../../bin/test_log_read"
  "../../bin/test_log_read.pdb"
  "CMakeFiles/test_log_read.dir/test_log_read.c.o"
  "CMakeFiles/test_log_read.dir/test_log_read.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_log_read.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
