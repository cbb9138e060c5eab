#!/usr/bin/env bash
# stacks_bench.sh BUILD [OPS] - the cost of call stacks (`record --stack
# N`, tracer/stack_walk.h): bench_workload's loop (OPS malloc+free pairs,
# default 2000000) natively, under `heapscope record --no-faults` without
# and with `--stack 8`, with `--stack 8` walked by libgcc's unwinder alone
# (HS_STACK_UNWIND=libgcc, what the cache saves), and under heaptrack, which
# also unwinds every allocation. Rounds alternate; medians of the loop's
# wall time (HS_BENCH_ROUNDS, default 3) and their ratios to native.
set -eu
build=${1:-build}
ops=${2:-2000000}
rounds=${HS_BENCH_ROUNDS:-3}
hs=$(realpath "$build/bin/heapscope")
wl=$(realpath "$build/bin/bench_workload")
[ -x "$hs" ] && [ -x "$wl" ] || { echo "stacks_bench: build first (make build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
loop() { sed -n 's/.*loop_ns=\([0-9]*\).*/\1/p' | head -1; }
median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

have_heaptrack=1
command -v heaptrack >/dev/null || have_heaptrack=0
for _ in $(seq 1 "$rounds"); do
  "$wl" "$ops" | loop >>"$work/native"
  rm -f "$work/t.db"
  "$hs" record --no-faults -o "$work/t.db" -- "$wl" "$ops" 2>/dev/null | loop >>"$work/plain"
  rm -f "$work/t.db"
  "$hs" record --no-faults --stack 8 -o "$work/t.db" -- "$wl" "$ops" 2>/dev/null | loop >>"$work/stack"
  rm -f "$work/t.db"
  HS_STACK_UNWIND=libgcc "$hs" record --no-faults --stack 8 -o "$work/t.db" -- "$wl" "$ops" 2>/dev/null |
    loop >>"$work/libgcc"
  if [ $have_heaptrack = 1 ]; then
    (cd "$work" && rm -f heaptrack.* && heaptrack "$wl" "$ops" 2>/dev/null | loop >>"$work/heaptrack")
  fi
done
native=$(median <"$work/native")
echo "call stacks: bench_workload $ops, the loop's wall time, medians of $rounds rounds"
for name in plain stack libgcc heaptrack; do
  [ -s "$work/$name" ] || continue
  case $name in
    plain) what="record (caller only)" ;;
    stack) what="record --stack 8" ;;
    libgcc) what="record --stack 8, libgcc's walk" ;;
    heaptrack) what="heaptrack" ;;
  esac
  awk -v w="$what" -v t="$(median <"$work/$name")" -v n="$native" \
    'BEGIN {printf "  %-34s %7.3f s  %5.2fx native\n", w, t / 1e9, t / n}'
done
awk -v n="$native" 'BEGIN {printf "  %-34s %7.3f s\n", "native", n / 1e9}'
