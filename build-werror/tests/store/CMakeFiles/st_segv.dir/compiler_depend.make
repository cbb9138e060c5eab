# Empty compiler generated dependencies file for st_segv.
# This may be replaced when dependencies are built.
