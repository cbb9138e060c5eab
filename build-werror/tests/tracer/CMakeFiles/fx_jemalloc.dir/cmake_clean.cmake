file(REMOVE_RECURSE
  "CMakeFiles/fx_jemalloc.dir/fixtures/fx_jemalloc.c.o"
  "CMakeFiles/fx_jemalloc.dir/fixtures/fx_jemalloc.c.o.d"
  "fixtures/fx_jemalloc"
  "fixtures/fx_jemalloc.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_jemalloc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
