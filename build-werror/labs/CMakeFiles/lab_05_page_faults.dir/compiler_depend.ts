# CMAKE generated file: DO NOT EDIT!
# Timestamp file for compiler generated dependencies management for lab_05_page_faults.
