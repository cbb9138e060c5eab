
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/labs/analyzer/lib/error.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/error.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/error.c.o.d"
  "/work/wt/labs/analyzer/lib/import.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/import.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/import.c.o.d"
  "/work/wt/labs/analyzer/lib/import_events.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/import_events.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/import_events.c.o.d"
  "/work/wt/labs/analyzer/lib/import_write.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/import_write.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/import_write.c.o.d"
  "/work/wt/labs/analyzer/lib/lab_catalog.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_catalog.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_catalog.c.o.d"
  "/work/wt/labs/analyzer/lib/lab_judge.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_judge.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_judge.c.o.d"
  "/work/wt/labs/analyzer/lib/lab_run.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_run.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_run.c.o.d"
  "/work/wt/labs/analyzer/lib/lab_trace.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_trace.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/lab_trace.c.o.d"
  "/work/wt/labs/analyzer/lib/log_read.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/log_read.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/log_read.c.o.d"
  "/work/wt/labs/analyzer/lib/ptrmap.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/ptrmap.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/ptrmap.c.o.d"
  "/work/wt/labs/analyzer/lib/schema.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/schema.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/schema.c.o.d"
  "/work/wt/labs/analyzer/lib/spawn.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/spawn.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/spawn.c.o.d"
  "/work/wt/labs/analyzer/lib/stream.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/stream.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/stream.c.o.d"
  "/work/wt/labs/analyzer/lib/summary.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/summary.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/summary.c.o.d"
  "/work/wt/labs/analyzer/lib/trace_read.c" "analyzer/CMakeFiles/hs_analysis.dir/lib/trace_read.c.o" "gcc" "analyzer/CMakeFiles/hs_analysis.dir/lib/trace_read.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
