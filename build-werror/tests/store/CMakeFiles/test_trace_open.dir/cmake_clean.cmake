file(REMOVE_RECURSE
  "../../bin/test_trace_open"
  "../../bin/test_trace_open.pdb"
  "CMakeFiles/test_trace_open.dir/test_trace_open.c.o"
  "CMakeFiles/test_trace_open.dir/test_trace_open.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_trace_open.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
