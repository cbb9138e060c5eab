# Empty compiler generated dependencies file for st_fork.
# This may be replaced when dependencies are built.
