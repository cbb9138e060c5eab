file(REMOVE_RECURSE
  "../bin/lab_03_sbrk_cost"
  "../bin/lab_03_sbrk_cost.pdb"
  "CMakeFiles/lab_03_sbrk_cost.dir/03-sbrk-cost/main.c.o"
  "CMakeFiles/lab_03_sbrk_cost.dir/03-sbrk-cost/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_03_sbrk_cost.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
