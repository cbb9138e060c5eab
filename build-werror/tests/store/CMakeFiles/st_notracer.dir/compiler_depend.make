# Empty compiler generated dependencies file for st_notracer.
# This may be replaced when dependencies are built.
