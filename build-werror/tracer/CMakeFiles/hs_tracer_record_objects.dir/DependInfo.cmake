
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/labs/tracer/hooks.c" "tracer/CMakeFiles/hs_tracer_record_objects.dir/hooks.c.o" "gcc" "tracer/CMakeFiles/hs_tracer_record_objects.dir/hooks.c.o.d"
  "/work/wt/labs/tracer/hooks_sys.c" "tracer/CMakeFiles/hs_tracer_record_objects.dir/hooks_sys.c.o" "gcc" "tracer/CMakeFiles/hs_tracer_record_objects.dir/hooks_sys.c.o.d"
  "/work/wt/labs/tracer/infer.c" "tracer/CMakeFiles/hs_tracer_record_objects.dir/infer.c.o" "gcc" "tracer/CMakeFiles/hs_tracer_record_objects.dir/infer.c.o.d"
  "/work/wt/labs/tracer/record.c" "tracer/CMakeFiles/hs_tracer_record_objects.dir/record.c.o" "gcc" "tracer/CMakeFiles/hs_tracer_record_objects.dir/record.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
