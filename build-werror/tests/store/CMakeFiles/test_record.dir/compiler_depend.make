# Empty compiler generated dependencies file for test_record.
# This may be replaced when dependencies are built.
