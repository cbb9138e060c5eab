file(REMOVE_RECURSE
  "../bin/lab_08_chunk_overhead"
  "../bin/lab_08_chunk_overhead.pdb"
  "CMakeFiles/lab_08_chunk_overhead.dir/08-chunk-overhead/main.c.o"
  "CMakeFiles/lab_08_chunk_overhead.dir/08-chunk-overhead/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/lab_08_chunk_overhead.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
