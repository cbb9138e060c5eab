# Empty compiler generated dependencies file for fx_closefds.
# This may be replaced when dependencies are built.
