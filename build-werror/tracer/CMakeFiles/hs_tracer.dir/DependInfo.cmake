
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/labs/tracer/bootstrap.c" "tracer/CMakeFiles/hs_tracer.dir/bootstrap.c.o" "gcc" "tracer/CMakeFiles/hs_tracer.dir/bootstrap.c.o.d"
  "/work/wt/labs/tracer/sink.c" "tracer/CMakeFiles/hs_tracer.dir/sink.c.o" "gcc" "tracer/CMakeFiles/hs_tracer.dir/sink.c.o.d"
  "/work/wt/labs/tracer/snapshot.c" "tracer/CMakeFiles/hs_tracer.dir/snapshot.c.o" "gcc" "tracer/CMakeFiles/hs_tracer.dir/snapshot.c.o.d"
  "/work/wt/labs/tracer/sys_linux.c" "tracer/CMakeFiles/hs_tracer.dir/sys_linux.c.o" "gcc" "tracer/CMakeFiles/hs_tracer.dir/sys_linux.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
