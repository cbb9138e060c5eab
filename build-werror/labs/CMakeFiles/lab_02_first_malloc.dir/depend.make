# Empty dependencies file for lab_02_first_malloc.
# This may be replaced when dependencies are built.
