file(REMOVE_RECURSE
  "CMakeFiles/hs_store_synth.dir/synth_log.c.o"
  "CMakeFiles/hs_store_synth.dir/synth_log.c.o.d"
  "libhs_store_synth.a"
  "libhs_store_synth.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hs_store_synth.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
