# CMake generated Testfile for 
# Source directory: /work/wt/labs/tests/tracer
# Build directory: /work/wt/labs/build-werror/tests/tracer
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_log_read]=] "/work/wt/labs/build-werror/bin/test_log_read")
set_tests_properties([=[test_log_read]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/wt/labs/tests/tracer/CMakeLists.txt;7;add_test;/work/wt/labs/tests/tracer/CMakeLists.txt;0;")
add_test([=[test_tracer]=] "/work/wt/labs/build-werror/bin/test_tracer")
set_tests_properties([=[test_tracer]=] PROPERTIES  LABELS "integration" TIMEOUT "180" _BACKTRACE_TRIPLES "/work/wt/labs/tests/tracer/CMakeLists.txt;48;add_test;/work/wt/labs/tests/tracer/CMakeLists.txt;0;")
add_test([=[test_tracer_imports]=] "/work/wt/labs/tests/tracer/check_imports.sh" "/work/wt/labs/build-werror/tracer/CMakeFiles/hs_tracer_record_objects.dir/hooks.c.o" "/work/wt/labs/build-werror/tracer/CMakeFiles/hs_tracer_record_objects.dir/hooks_sys.c.o" "/work/wt/labs/build-werror/tracer/CMakeFiles/hs_tracer_record_objects.dir/record.c.o" "/work/wt/labs/build-werror/tracer/CMakeFiles/hs_tracer_record_objects.dir/infer.c.o")
set_tests_properties([=[test_tracer_imports]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/wt/labs/tests/tracer/CMakeLists.txt;52;add_test;/work/wt/labs/tests/tracer/CMakeLists.txt;0;")
