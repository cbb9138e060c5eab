# Empty compiler generated dependencies file for st_stdin.
# This may be replaced when dependencies are built.
