# Empty dependencies file for st_static.
# This may be replaced when dependencies are built.
