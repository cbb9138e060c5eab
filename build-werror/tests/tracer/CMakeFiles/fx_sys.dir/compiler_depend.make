# Empty compiler generated dependencies file for fx_sys.
# This may be replaced when dependencies are built.
