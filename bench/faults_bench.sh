#!/usr/bin/env bash
# faults_bench.sh BUILD [MIB] - cost of page-fault recording: a program that
# touches MIB MiB (default 1024) one page at a time, run natively, under
# `heapscope record` (perf sampling + import) and `heapscope record
# --no-faults`. Best of 3 wall times each; ratios against native. Then
# the user CPU time of `record` on faults_spread (faults all along a 4 s
# run), with the live import and with the import after the run: the live
# one reads the sampler's log in hundreds of steps, and must not cost more
# (its address index, analyzer/lib/fault_index.h, grows without redoing
# what it holds).
set -eu
build=${1:-build}
mib=${2:-1024}
bin=$build/bin
fx=$bin/fx_faults
[ -x "$fx" ] && [ -x "$bin/heapscope" ] || { echo "faults_bench: build first (make build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

best() { # best wall time in seconds of 3 runs of "$@"
  local b=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    b=$(echo "$t0 $t1 ${b:-999999}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
  done
  echo "$b"
}

native=$(best "$fx" /dev/null touch "$mib")
faults=$(best "$bin/heapscope" record -o "$work/f.db" -- "$fx" /dev/null touch "$mib")
nofaults=$(best "$bin/heapscope" record --no-faults -o "$work/n.db" -- "$fx" /dev/null touch "$mib")
samples=$("$bin/heapscope" faults "$work/f.db" --json | awk -F'"total": ' 'NF > 1 {split($2, a, ","); print a[1]; exit}')
lost=$("$bin/heapscope" faults "$work/f.db" --json | awk -F'"lost": ' 'NF > 1 {split($2, a, "[,}]"); print a[1]; exit}')
size=$(stat -c %s "$work/f.db")

echo "faults bench: touch $mib MiB ($((mib * 256)) pages), best of 3"
awk -v n="$native" -v f="$faults" -v o="$nofaults" -v s="$samples" -v l="$lost" -v z="$size" 'BEGIN {
  printf "  native                         %7.3f s\n", n
  printf "  heapscope record               %7.3f s  %5.2fx native  (%d faults, %d lost, db %.1f MiB)\n", f, f / n, s, l, z / 1048576
  printf "  heapscope record --no-faults   %7.3f s  %5.2fx native\n", o, o / n
  printf "  fault recording alone          %7.3f s  %5.2fx the --no-faults run\n", f - o, f / o
}'

spread=$bin/faults_spread
user_cpu() { # user seconds of "$@" and its children (the recorder and the program)
  local TIMEFORMAT=%U
  { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1
}
live=$(user_cpu "$bin/heapscope" record -o "$work/s.db" -- "$spread" 1024 4)
spread_faults=$(sqlite3 "$work/s.db" "SELECT count(*) FROM faults" 2>/dev/null || echo 0)
after=$(user_cpu env HS_LIVE_IMPORT=0 "$bin/heapscope" record -o "$work/s.db" -- "$spread" 1024 4)
awk -v l="$live" -v a="$after" -v f="$spread_faults" 'BEGIN {
  printf "faults spread over 4 s (%d faults): record user CPU %.2f s live, %.2f s importing after the run\n", f, l, a
}'
