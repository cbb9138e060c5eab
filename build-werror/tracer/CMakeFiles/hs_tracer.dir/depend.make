# Empty dependencies file for hs_tracer.
# This may be replaced when dependencies are built.
