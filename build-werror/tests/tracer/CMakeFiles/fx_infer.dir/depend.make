# Empty dependencies file for fx_infer.
# This may be replaced when dependencies are built.
