#!/usr/bin/env bash
# report_bench.sh BUILD [N_EVENTS] - time `heapscope report` on a trace of
# N_EVENTS allocator events (default 10 million; the target is under one
# minute). Records the workload once into BUILD/bench/report-N.db.
set -eu
build=$(cd "$1" && pwd)
n=${2:-10000000}
hs=$build/bin/heapscope
dir=$build/bench
mkdir -p "$dir"
seconds() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }
src=$(cd "$(dirname "$0")" && pwd)
cc -O2 -I"$src/../include" "$src/report_bench_prog.c" -o "$dir/report_bench_prog"
db=$dir/report-$n.db
if [ ! -s "$db" ]; then
    start=$(date +%s%N)
    "$hs" record --no-faults -o "$db" -- "$dir/report_bench_prog" "$n" >/dev/null 2>&1
    echo "report bench: recorded $n events in $(seconds "$start") s"
fi
rm -rf "$dir/report-$n"
start=$(date +%s%N)
"$hs" report "$db" -o "$dir/report-$n" >/dev/null
echo "report bench: heapscope report on $n events: $(seconds "$start") s (target < 60 s)"
