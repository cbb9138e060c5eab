file(REMOVE_RECURSE
  "../lib/libheapscope-tracer.pdb"
  "../lib/libheapscope-tracer.so"
  "CMakeFiles/hs_tracer.dir/bootstrap.c.o"
  "CMakeFiles/hs_tracer.dir/bootstrap.c.o.d"
  "CMakeFiles/hs_tracer.dir/sink.c.o"
  "CMakeFiles/hs_tracer.dir/sink.c.o.d"
  "CMakeFiles/hs_tracer.dir/snapshot.c.o"
  "CMakeFiles/hs_tracer.dir/snapshot.c.o.d"
  "CMakeFiles/hs_tracer.dir/sys_linux.c.o"
  "CMakeFiles/hs_tracer.dir/sys_linux.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hs_tracer.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
