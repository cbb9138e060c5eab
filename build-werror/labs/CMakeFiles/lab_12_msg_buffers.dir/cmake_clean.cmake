file(REMOVE_RECURSE
  "../bin/lab_12_msg_buffers"
  "../bin/lab_12_msg_buffers.pdb"
  "CMakeFiles/lab_12_msg_buffers.dir/12-msg-buffers/main.c.o"
  "CMakeFiles/lab_12_msg_buffers.dir/12-msg-buffers/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_12_msg_buffers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
