# Empty compiler generated dependencies file for lab_03_sbrk_cost.
# This may be replaced when dependencies are built.
