file(REMOVE_RECURSE
  "CMakeFiles/st_wait.dir/fixtures/st_wait.c.o"
  "CMakeFiles/st_wait.dir/fixtures/st_wait.c.o.d"
  "fixtures/st_wait"
  "fixtures/st_wait.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_wait.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
