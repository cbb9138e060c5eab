#!/usr/bin/env bash
# model_bench.sh BUILD [N_OPS] - replay speed of the glibc model and the
# time of `heap --at` in the middle of a big trace (first call builds the
# model_checkpoints cache, second uses it). Called by bench/run.sh.
set -eu
build=${1:-build} n=${2:-2000000}
hs=$build/bin/heapscope fx=$build/bin/fx_random
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$hs" record -o "$dir/t.db" -- "$fx" 7 "$n" >/dev/null 2>&1
events=$(sqlite3 "$dir/t.db" "select sum(n_events) from processes")
last=$(sqlite3 "$dir/t.db" "select max(last_seq) from event_chunks")
t0=$(date +%s.%N); "$hs" check "$dir/t.db" >/dev/null; t1=$(date +%s.%N)
echo "model: check replayed $events events in $(echo "$t1 - $t0" | bc) s ($(echo "$events / ($t1 - $t0)" | bc) events/s, SQLite decoding included)"
mid=$((last / 2))
t0=$(date +%s.%N); "$hs" heap --at "$mid" "$dir/t.db" >/dev/null; t1=$(date +%s.%N)
"$hs" heap --at $((mid + 1000)) "$dir/t.db" >/dev/null; t2=$(date +%s.%N)
echo "model: heap --at $mid: $(echo "$t1 - $t0" | bc) s first (writes checkpoints), $(echo "$t2 - $t1" | bc) s next"
