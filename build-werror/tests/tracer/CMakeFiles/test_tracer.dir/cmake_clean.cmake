file(REMOVE_RECURSE
  "../../bin/test_tracer"
  "../../bin/test_tracer.pdb"
  "CMakeFiles/test_tracer.dir/harness.c.o"
  "CMakeFiles/test_tracer.dir/harness.c.o.d"
  "CMakeFiles/test_tracer.dir/test_tracer.c.o"
  "CMakeFiles/test_tracer.dir/test_tracer.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tracer.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
