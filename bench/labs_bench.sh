#!/usr/bin/env bash
# labs_bench.sh BUILD - the labs' timings (never asserted in tests): cost of
# sbrk/brk against malloc/free, the allocators side by side, the pools, the
# zero-copy methods and io_uring, each lab run natively once in its --full
# version (lab 3: the article's 0x5fffff-iteration loop, 25 s or more).
set -eu
bin=${1:-build}/bin
echo "labs: timings of one native run each (docs/labs/)"
for lab in lab_03_sbrk_cost lab_10_allocators lab_11_pools lab_13_zero_copy lab_14_io_uring; do
  [ -x "$bin/$lab" ] || continue
  "$bin/$lab" --full | awk -v lab="$lab" '
    $1 == "measure:" && $2 ~ /(_ns|_ms|_over_|speedup|_seconds|per_iteration)/ {
      printf "  %-20s %-34s %s\n", lab, $2, $3
    }'
done
