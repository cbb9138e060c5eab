# Empty compiler generated dependencies file for lab_05_page_faults.
# This may be replaced when dependencies are built.
