file(REMOVE_RECURSE
  "CMakeFiles/fx_crash.dir/fixtures/fx_crash.c.o"
  "CMakeFiles/fx_crash.dir/fixtures/fx_crash.c.o.d"
  "fixtures/fx_crash"
  "fixtures/fx_crash.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_crash.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
