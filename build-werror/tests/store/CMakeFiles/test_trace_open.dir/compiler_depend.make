# Empty compiler generated dependencies file for test_trace_open.
# This may be replaced when dependencies are built.
