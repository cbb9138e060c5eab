
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/labs/tests/tracer/harness.c" "tests/tracer/CMakeFiles/test_tracer.dir/harness.c.o" "gcc" "tests/tracer/CMakeFiles/test_tracer.dir/harness.c.o.d"
  "/work/wt/labs/tests/tracer/test_tracer.c" "tests/tracer/CMakeFiles/test_tracer.dir/test_tracer.c.o" "gcc" "tests/tracer/CMakeFiles/test_tracer.dir/test_tracer.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/labs/build-werror/analyzer/CMakeFiles/hs_analysis.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
