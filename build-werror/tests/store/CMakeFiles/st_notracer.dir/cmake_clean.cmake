file(REMOVE_RECURSE
  "CMakeFiles/st_notracer.dir/fixtures/st_notracer.c.o"
  "CMakeFiles/st_notracer.dir/fixtures/st_notracer.c.o.d"
  "fixtures/libst_notracer.pdb"
  "fixtures/libst_notracer.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/st_notracer.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
