# Empty compiler generated dependencies file for lab_06_trim.
# This may be replaced when dependencies are built.
