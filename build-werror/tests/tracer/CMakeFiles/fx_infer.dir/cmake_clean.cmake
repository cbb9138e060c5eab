file(REMOVE_RECURSE
  "CMakeFiles/fx_infer.dir/fixtures/fx_infer.c.o"
  "CMakeFiles/fx_infer.dir/fixtures/fx_infer.c.o.d"
  "fixtures/fx_infer"
  "fixtures/fx_infer.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_infer.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
