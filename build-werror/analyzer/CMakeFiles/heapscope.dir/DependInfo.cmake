
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/labs/analyzer/cli/cli_import.c" "analyzer/CMakeFiles/heapscope.dir/cli/cli_import.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/cli_import.c.o.d"
  "/work/wt/labs/analyzer/cli/cmd_import.c" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_import.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_import.c.o.d"
  "/work/wt/labs/analyzer/cli/cmd_lab.c" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_lab.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_lab.c.o.d"
  "/work/wt/labs/analyzer/cli/cmd_leaks.c" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_leaks.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_leaks.c.o.d"
  "/work/wt/labs/analyzer/cli/cmd_record.c" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_record.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_record.c.o.d"
  "/work/wt/labs/analyzer/cli/cmd_summary.c" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_summary.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/cmd_summary.c.o.d"
  "/work/wt/labs/analyzer/cli/main.c" "analyzer/CMakeFiles/heapscope.dir/cli/main.c.o" "gcc" "analyzer/CMakeFiles/heapscope.dir/cli/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/labs/build-werror/analyzer/CMakeFiles/hs_analysis.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
