file(REMOVE_RECURSE
  "../bin/lab_15_iocp"
  "../bin/lab_15_iocp.pdb"
  "CMakeFiles/lab_15_iocp.dir/15-iocp/main.c.o"
  "CMakeFiles/lab_15_iocp.dir/15-iocp/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_15_iocp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
