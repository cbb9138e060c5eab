# CMAKE generated file: DO NOT EDIT!
# Timestamp file for compiler generated dependencies management for lab_11_pools.
