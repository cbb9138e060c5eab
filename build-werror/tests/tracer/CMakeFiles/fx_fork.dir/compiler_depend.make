# Empty compiler generated dependencies file for fx_fork.
# This may be replaced when dependencies are built.
