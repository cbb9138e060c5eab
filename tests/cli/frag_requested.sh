#!/bin/sh
# frag_requested.sh HEAPSCOPE - frag's live_requested is what the program
# asked for, as `timeline` counts it from the events: the tcache structure
# glibc allocates for itself is chunk overhead, not a request (one process,
# one thread, so both see the same blocks).
set -u
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$hs" record --no-faults -o "$dir/t.db" -- ls -l /usr/share >/dev/null 2>&1 || { echo "FAIL: record"; exit 1; }
frag=$("$hs" frag "$dir/t.db" --csv | tail -n 1 | cut -d, -f5)
timeline=$("$hs" timeline "$dir/t.db" --csv | tail -n 1 | cut -d, -f3)
if [ -n "$frag" ] && [ "$frag" = "$timeline" ]; then
  echo "ok: live_requested at the end: frag $frag, timeline $timeline"
else
  echo "FAIL: live_requested at the end: frag '$frag', timeline '$timeline'"; exit 1
fi
# The "(end)" row is at the last event, one `heap --at` can show (it was
# at the trace's last seq, which the exit's snapshot records pass).
end=$("$hs" frag "$dir/t.db" --csv | tail -n 1 | cut -d, -f1)
last=$(sqlite3 "$dir/t.db" "SELECT max(seq) FROM events_traced")
if [ "$end" = "$last" ] && "$hs" heap "$dir/t.db" --at "$end" >/dev/null; then
  echo "ok: the (end) row at seq $end, the last event"
else
  echo "FAIL: the (end) row at seq '$end', the last event is $last"; exit 1
fi
