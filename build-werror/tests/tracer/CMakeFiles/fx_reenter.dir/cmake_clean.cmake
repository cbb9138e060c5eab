file(REMOVE_RECURSE
  "CMakeFiles/fx_reenter.dir/fixtures/fx_reenter.c.o"
  "CMakeFiles/fx_reenter.dir/fixtures/fx_reenter.c.o.d"
  "fixtures/fx_reenter"
  "fixtures/fx_reenter.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_reenter.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
