file(REMOVE_RECURSE
  "../bin/heapscope"
  "../bin/heapscope.pdb"
  "CMakeFiles/heapscope.dir/cli/cli_import.c.o"
  "CMakeFiles/heapscope.dir/cli/cli_import.c.o.d"
  "CMakeFiles/heapscope.dir/cli/cmd_import.c.o"
  "CMakeFiles/heapscope.dir/cli/cmd_import.c.o.d"
  "CMakeFiles/heapscope.dir/cli/cmd_lab.c.o"
  "CMakeFiles/heapscope.dir/cli/cmd_lab.c.o.d"
  "CMakeFiles/heapscope.dir/cli/cmd_leaks.c.o"
  "CMakeFiles/heapscope.dir/cli/cmd_leaks.c.o.d"
  "CMakeFiles/heapscope.dir/cli/cmd_record.c.o"
  "CMakeFiles/heapscope.dir/cli/cmd_record.c.o.d"
  "CMakeFiles/heapscope.dir/cli/cmd_summary.c.o"
  "CMakeFiles/heapscope.dir/cli/cmd_summary.c.o.d"
  "CMakeFiles/heapscope.dir/cli/main.c.o"
  "CMakeFiles/heapscope.dir/cli/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/heapscope.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
