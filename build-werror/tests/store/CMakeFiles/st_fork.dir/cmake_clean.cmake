file(REMOVE_RECURSE
  "CMakeFiles/st_fork.dir/fixtures/st_fork.c.o"
  "CMakeFiles/st_fork.dir/fixtures/st_fork.c.o.d"
  "fixtures/st_fork"
  "fixtures/st_fork.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_fork.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
