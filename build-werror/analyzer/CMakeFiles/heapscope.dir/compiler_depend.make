# Empty compiler generated dependencies file for heapscope.
# This may be replaced when dependencies are built.
