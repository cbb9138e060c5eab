#!/usr/bin/env bash
# tracer-overhead.sh BUILD [N] [ROUNDS] - recording cost of the tracer per event.
#
# Runs tests/tracer/fixtures/fx_bench (N iterations of one free + one
# malloc of 16..1040 bytes, i.e. 2N events) natively, with the tracer
# preloaded by hand (linear log), and under `heapscope record --no-faults`
# (ring mode, drained while it runs), ROUNDS times each (default 5),
# alternating, and prints the best loop time of each and the cost per
# recorded event. Part of `make bench`; not a test.
set -eu
build=${1:-build}
n=${2:-2000000}
rounds=${3:-5}
fx=$build/tests/tracer/fixtures/fx_bench
lib=$build/lib/libheapscope-tracer.so
hs=$build/bin/heapscope
[ -x "$fx" ] && [ -f "$lib" ] && [ -x "$hs" ] || { echo "tracer-overhead: build first ('$fx', '$lib', '$hs' missing)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

best() { [ -z "$1" ] || [ "$2" -lt "$1" ] && echo "$2" || echo "$1"; }
native= linear= ring=
for _ in $(seq "$rounds"); do
  native=$(best "$native" "$("$fx" "$n" | sed -n 's/^ns=//p')")
  rm -rf "$dir"/*
  linear=$(best "$linear" "$(HS_LOGDIR="$dir" LD_PRELOAD="$(realpath "$lib")" "$fx" "$n" | sed -n 's/^ns=//p')")
  rm -rf "$dir"/*
  ring=$(best "$ring" "$(HS_RING=1 HS_TRACER="$(realpath "$lib")" "$hs" record --no-faults -o "$dir/t.db" -- "$fx" "$n" 2>/dev/null | sed -n 's/^ns=//p')")
done
events=$((2 * n))
awk -v nat="$native" -v lin="$linear" -v ring="$ring" -v ev="$events" 'BEGIN {
  printf "tracer overhead: %d events, best of the rounds\n", ev
  printf "  native               %7.1f ms  %5.1f ns/call\n", nat / 1e6, nat / ev
  printf "  linear log (by hand) %7.1f ms  %5.1f ns/event (+%.1f)  %5.1fx\n", lin / 1e6, lin / ev, (lin - nat) / ev, lin / nat
  printf "  ring (record)        %7.1f ms  %5.1f ns/event (+%.1f)  %5.1fx\n", ring / 1e6, ring / ev, (ring - nat) / ev, ring / nat }'
