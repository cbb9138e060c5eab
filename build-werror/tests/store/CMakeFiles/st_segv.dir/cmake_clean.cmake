file(REMOVE_RECURSE
  "CMakeFiles/st_segv.dir/fixtures/st_segv.c.o"
  "CMakeFiles/st_segv.dir/fixtures/st_segv.c.o.d"
  "fixtures/st_segv"
  "fixtures/st_segv.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_segv.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
