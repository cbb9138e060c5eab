# CMake generated Testfile for 
# Source directory: /work/wt/labs/tests/store
# Build directory: /work/wt/labs/build-werror/tests/store
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_stream]=] "/work/wt/labs/build-werror/bin/test_stream")
set_tests_properties([=[test_stream]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/wt/labs/tests/store/CMakeLists.txt;11;add_test;/work/wt/labs/tests/store/CMakeLists.txt;0;")
add_test([=[test_import]=] "/work/wt/labs/build-werror/bin/test_import")
set_tests_properties([=[test_import]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/wt/labs/tests/store/CMakeLists.txt;11;add_test;/work/wt/labs/tests/store/CMakeLists.txt;0;")
add_test([=[test_trace_open]=] "/work/wt/labs/build-werror/bin/test_trace_open")
set_tests_properties([=[test_trace_open]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/wt/labs/tests/store/CMakeLists.txt;11;add_test;/work/wt/labs/tests/store/CMakeLists.txt;0;")
add_test([=[test_record]=] "/work/wt/labs/build-werror/bin/test_record")
set_tests_properties([=[test_record]=] PROPERTIES  LABELS "integration" TIMEOUT "120" _BACKTRACE_TRIPLES "/work/wt/labs/tests/store/CMakeLists.txt;36;add_test;/work/wt/labs/tests/store/CMakeLists.txt;0;")
add_test([=[test_store_help_docs]=] "/work/wt/labs/tests/store/help_matches_docs.sh" "/work/wt/labs/build-werror/bin/heapscope" "/work/wt/labs/docs/cli" "record" "import" "summary" "leaks")
set_tests_properties([=[test_store_help_docs]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/wt/labs/tests/store/CMakeLists.txt;39;add_test;/work/wt/labs/tests/store/CMakeLists.txt;0;")
