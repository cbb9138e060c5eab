file(REMOVE_RECURSE
  "../../bin/test_stream"
  "../../bin/test_stream.pdb"
  "CMakeFiles/test_stream.dir/test_stream.c.o"
  "CMakeFiles/test_stream.dir/test_stream.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_stream.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
