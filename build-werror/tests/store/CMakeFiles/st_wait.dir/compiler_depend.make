# Empty compiler generated dependencies file for st_wait.
# This may be replaced when dependencies are built.
