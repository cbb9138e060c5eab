# Empty dependencies file for fx_exec.
# This may be replaced when dependencies are built.
