file(REMOVE_RECURSE
  "CMakeFiles/hs_analysis.dir/lib/error.c.o"
  "CMakeFiles/hs_analysis.dir/lib/error.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/import.c.o"
  "CMakeFiles/hs_analysis.dir/lib/import.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/import_events.c.o"
  "CMakeFiles/hs_analysis.dir/lib/import_events.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/import_write.c.o"
  "CMakeFiles/hs_analysis.dir/lib/import_write.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/lab_catalog.c.o"
  "CMakeFiles/hs_analysis.dir/lib/lab_catalog.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/lab_judge.c.o"
  "CMakeFiles/hs_analysis.dir/lib/lab_judge.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/lab_run.c.o"
  "CMakeFiles/hs_analysis.dir/lib/lab_run.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/lab_trace.c.o"
  "CMakeFiles/hs_analysis.dir/lib/lab_trace.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/log_read.c.o"
  "CMakeFiles/hs_analysis.dir/lib/log_read.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/ptrmap.c.o"
  "CMakeFiles/hs_analysis.dir/lib/ptrmap.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/schema.c.o"
  "CMakeFiles/hs_analysis.dir/lib/schema.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/spawn.c.o"
  "CMakeFiles/hs_analysis.dir/lib/spawn.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/stream.c.o"
  "CMakeFiles/hs_analysis.dir/lib/stream.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/summary.c.o"
  "CMakeFiles/hs_analysis.dir/lib/summary.c.o.d"
  "CMakeFiles/hs_analysis.dir/lib/trace_read.c.o"
  "CMakeFiles/hs_analysis.dir/lib/trace_read.c.o.d"
  "libhs_analysis.a"
  "libhs_analysis.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hs_analysis.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
