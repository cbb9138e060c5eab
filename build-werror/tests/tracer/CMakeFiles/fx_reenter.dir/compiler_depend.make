# Empty compiler generated dependencies file for fx_reenter.
# This may be replaced when dependencies are built.
