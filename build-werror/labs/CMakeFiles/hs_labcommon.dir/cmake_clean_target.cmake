file(REMOVE_RECURSE
  "libhs_labcommon.a"
)
