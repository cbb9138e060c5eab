#!/usr/bin/env bash
# tracer-overhead.sh BUILD [N] - recording cost of the tracer per event.
#
# Runs tests/tracer/fixtures/fx_bench (N iterations of one free + one
# malloc of 16..1040 bytes, i.e. 2N events) natively and with the tracer
# preloaded, three times each, alternating, and prints the best loop times
# and the cost per recorded event. Part of `make bench`; not a test.
set -eu
build=${1:-build}
n=${2:-2000000}
fx=$build/tests/tracer/fixtures/fx_bench
lib=$build/lib/libheapscope-tracer.so
[ -x "$fx" ] && [ -f "$lib" ] || { echo "tracer-overhead: build first ('$fx', '$lib' missing)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

best_native= best_traced=
for _ in 1 2 3; do
  t=$("$fx" "$n" | sed -n 's/^ns=//p')
  [ -z "$best_native" ] || [ "$t" -lt "$best_native" ] && best_native=$t
  rm -f "$dir"/*
  t=$(HS_LOGDIR="$dir" LD_PRELOAD="$(realpath "$lib")" "$fx" "$n" | sed -n 's/^ns=//p')
  [ -z "$best_traced" ] || [ "$t" -lt "$best_traced" ] && best_traced=$t
done
events=$((2 * n))
awk -v nat="$best_native" -v tr="$best_traced" -v ev="$events" 'BEGIN {
  printf "tracer overhead: %d events; native %.1f ms (%.1f ns/call), traced %.1f ms (%.1f ns/event, +%.1f ns), ratio %.1fx\n",
    ev, nat / 1e6, nat / ev, tr / 1e6, tr / ev, (tr - nat) / ev, tr / nat }'
