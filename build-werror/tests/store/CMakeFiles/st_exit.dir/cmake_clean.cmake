file(REMOVE_RECURSE
  "CMakeFiles/st_exit.dir/fixtures/st_exit.c.o"
  "CMakeFiles/st_exit.dir/fixtures/st_exit.c.o.d"
  "fixtures/st_exit"
  "fixtures/st_exit.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_exit.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
