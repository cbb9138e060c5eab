# Empty compiler generated dependencies file for hs_analysis.
# This may be replaced when dependencies are built.
