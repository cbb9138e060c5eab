#!/usr/bin/env bash
# model_bench.sh BUILD [N_OPS] - the glibc model's speed on a trace of
# fx_random (default 14.5 M operations = about 10 M events):
#   replay rate of `heapscope check` (SQLite decoding included; target >= 3 M events/s)
#   `heapscope heap --at` at several points: the first call builds the
#   model_checkpoints cache (one full replay), the next ones must stay under 1 s
#   peak memory of `heap --at` (proportional to live chunks, not to the trace)
# Meant to be called by bench/run.sh; prints one line per figure.
set -eu
build=${1:-build} n=${2:-14500000}
hs=$build/bin/heapscope fx=$build/bin/model_fx_random
for f in "$hs" "$fx"; do
  [ -x "$f" ] || { echo "model bench: '$f' is missing (run make first)" >&2; exit 1; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/heapscope-model-bench-XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$hs" record -o "$dir/t.db" -- "$fx" 7 "$n" >/dev/null 2>&1
events=$(sqlite3 "$dir/t.db" "select sum(n_events) from processes")
last=$(sqlite3 "$dir/t.db" "select max(last_seq) from event_chunks")
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
t0=$(date +%s%N); "$hs" check "$dir/t.db" >"$dir/check.txt"; t1=$(date +%s%N)
echo "model: check: $events events in $(secs "$t0" "$t1") s = $(awk -v e="$events" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", e / ((b - a) / 1e9) / 1e6 }') M events/s; $(grep -m1 'predicted exactly' "$dir/check.txt")"
t0=$(date +%s%N); "$hs" heap --at $((last / 2)) "$dir/t.db" >/dev/null; t1=$(date +%s%N)
echo "model: heap --at, first call (builds checkpoints): $(secs "$t0" "$t1") s"
for f in 1 3 5 7 9; do
  seq=$((last * f / 10 + 7))
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$dir/rss" "$hs" heap --at "$seq" "$dir/t.db" >/dev/null
  t1=$(date +%s%N)
  echo "model: heap --at $seq: $(secs "$t0" "$t1") s, peak RSS $(cat "$dir/rss") KiB"
done
