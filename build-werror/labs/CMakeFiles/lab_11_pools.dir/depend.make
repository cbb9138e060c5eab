# Empty dependencies file for lab_11_pools.
# This may be replaced when dependencies are built.
