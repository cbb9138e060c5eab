file(REMOVE_RECURSE
  "libhs_analysis.a"
)
