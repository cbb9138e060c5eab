# Empty dependencies file for lab_13_zero_copy.
# This may be replaced when dependencies are built.
