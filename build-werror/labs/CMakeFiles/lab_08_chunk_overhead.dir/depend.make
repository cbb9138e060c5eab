# Empty dependencies file for lab_08_chunk_overhead.
# This may be replaced when dependencies are built.
