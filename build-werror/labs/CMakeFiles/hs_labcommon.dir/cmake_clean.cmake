file(REMOVE_RECURSE
  "CMakeFiles/hs_labcommon.dir/common/lab.c.o"
  "CMakeFiles/hs_labcommon.dir/common/lab.c.o.d"
  "libhs_labcommon.a"
  "libhs_labcommon.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hs_labcommon.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
