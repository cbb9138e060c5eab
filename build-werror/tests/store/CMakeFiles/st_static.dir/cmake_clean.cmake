file(REMOVE_RECURSE
  "CMakeFiles/st_static.dir/fixtures/st_static.c.o"
  "CMakeFiles/st_static.dir/fixtures/st_static.c.o.d"
  "fixtures/st_static"
  "fixtures/st_static.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
