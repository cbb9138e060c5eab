file(REMOVE_RECURSE
  "CMakeFiles/st_stdin.dir/fixtures/st_stdin.c.o"
  "CMakeFiles/st_stdin.dir/fixtures/st_stdin.c.o.d"
  "fixtures/st_stdin"
  "fixtures/st_stdin.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_stdin.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
