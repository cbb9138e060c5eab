# Empty compiler generated dependencies file for lab_15_iocp.
# This may be replaced when dependencies are built.
