# Empty compiler generated dependencies file for lab_14_io_uring.
# This may be replaced when dependencies are built.
