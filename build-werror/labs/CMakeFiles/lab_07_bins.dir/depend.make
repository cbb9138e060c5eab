# Empty dependencies file for lab_07_bins.
# This may be replaced when dependencies are built.
