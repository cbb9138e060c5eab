# Empty dependencies file for test_tracer.
# This may be replaced when dependencies are built.
