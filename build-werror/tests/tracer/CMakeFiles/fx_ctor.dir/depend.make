# Empty dependencies file for fx_ctor.
# This may be replaced when dependencies are built.
