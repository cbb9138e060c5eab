#!/usr/bin/env bash
# demo.sh BUILD - the main job of `make demo`: record a small program with
# `heapscope record`, print its summary and where the trace is.
set -eu
build=${1:-build}
hs=$build/bin/heapscope
trace=$build/demo.db
echo "heapscope demo: recording 'ls -l /'"
"$hs" record -o "$trace" -- ls -l / >/dev/null
echo
"$hs" summary "$trace"
echo
echo "heapscope demo: the trace is $trace; try:"
echo "  $hs leaks $trace"
echo "  sqlite3 $trace \"SELECT op, count(*) FROM events GROUP BY op\""

# viz: an HTML report of the demo trace, opened from disk without a server.
report=$("$hs" report "$trace" -o "$build/demo-report")
echo "heapscope demo: report written to $(cd "$(dirname "$report")" && pwd)/index.html"
