# Empty dependencies file for fx_jemalloc.
# This may be replaced when dependencies are built.
