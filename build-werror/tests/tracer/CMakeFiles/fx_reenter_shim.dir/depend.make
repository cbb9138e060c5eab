# Empty dependencies file for fx_reenter_shim.
# This may be replaced when dependencies are built.
