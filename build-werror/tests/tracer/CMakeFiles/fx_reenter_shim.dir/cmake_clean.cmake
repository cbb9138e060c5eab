file(REMOVE_RECURSE
  "CMakeFiles/fx_reenter_shim.dir/fixtures/fx_reenter_shim.c.o"
  "CMakeFiles/fx_reenter_shim.dir/fixtures/fx_reenter_shim.c.o.d"
  "fixtures/libfx_reenter_shim.pdb"
  "fixtures/libfx_reenter_shim.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fx_reenter_shim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
