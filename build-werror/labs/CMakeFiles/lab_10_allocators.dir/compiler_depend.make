# Empty compiler generated dependencies file for lab_10_allocators.
# This may be replaced when dependencies are built.
