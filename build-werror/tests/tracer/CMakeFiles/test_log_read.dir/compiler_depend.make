# Empty compiler generated dependencies file for test_log_read.
# This may be replaced when dependencies are built.
