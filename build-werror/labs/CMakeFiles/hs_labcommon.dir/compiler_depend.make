# Empty compiler generated dependencies file for hs_labcommon.
# This may be replaced when dependencies are built.
