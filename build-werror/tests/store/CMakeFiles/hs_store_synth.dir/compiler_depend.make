# Empty compiler generated dependencies file for hs_store_synth.
# This may be replaced when dependencies are built.
