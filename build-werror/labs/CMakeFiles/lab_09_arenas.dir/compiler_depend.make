# Empty compiler generated dependencies file for lab_09_arenas.
# This may be replaced when dependencies are built.
