# Empty compiler generated dependencies file for lab_01_heap_start.
# This may be replaced when dependencies are built.
