# Empty dependencies file for fx_crash.
# This may be replaced when dependencies are built.
