file(REMOVE_RECURSE
  "CMakeFiles/hs_tracer_record_objects.dir/hooks.c.o"
  "CMakeFiles/hs_tracer_record_objects.dir/hooks.c.o.d"
  "CMakeFiles/hs_tracer_record_objects.dir/hooks_sys.c.o"
  "CMakeFiles/hs_tracer_record_objects.dir/hooks_sys.c.o.d"
  "CMakeFiles/hs_tracer_record_objects.dir/infer.c.o"
  "CMakeFiles/hs_tracer_record_objects.dir/infer.c.o.d"
  "CMakeFiles/hs_tracer_record_objects.dir/record.c.o"
  "CMakeFiles/hs_tracer_record_objects.dir/record.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hs_tracer_record_objects.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
