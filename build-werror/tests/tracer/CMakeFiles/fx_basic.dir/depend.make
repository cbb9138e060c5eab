# Empty dependencies file for fx_basic.
# This may be replaced when dependencies are built.
