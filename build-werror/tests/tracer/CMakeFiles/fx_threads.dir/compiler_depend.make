# Empty compiler generated dependencies file for fx_threads.
# This may be replaced when dependencies are built.
