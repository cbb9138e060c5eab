
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/labs/tests/store/test_record.c" "tests/store/CMakeFiles/test_record.dir/test_record.c.o" "gcc" "tests/store/CMakeFiles/test_record.dir/test_record.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/labs/build-werror/tests/store/CMakeFiles/hs_store_synth.dir/DependInfo.cmake"
  "/work/wt/labs/build-werror/analyzer/CMakeFiles/hs_analysis.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
