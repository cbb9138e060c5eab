# Empty compiler generated dependencies file for lab_04_mmap_threshold.
# This may be replaced when dependencies are built.
