file(REMOVE_RECURSE
  "libhs_store_synth.a"
)
