file(REMOVE_RECURSE
  "../bin/lab_14_io_uring"
  "../bin/lab_14_io_uring.pdb"
  "CMakeFiles/lab_14_io_uring.dir/14-io-uring/main.c.o"
  "CMakeFiles/lab_14_io_uring.dir/14-io-uring/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_14_io_uring.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
