# Empty dependencies file for st_exit.
# This may be replaced when dependencies are built.
