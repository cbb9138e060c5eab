# Empty compiler generated dependencies file for fx_bench.
# This may be replaced when dependencies are built.
