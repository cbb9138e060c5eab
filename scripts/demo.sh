#!/usr/bin/env bash
# demo.sh BUILD - the main job of `make demo`: run lab 2 (the first malloc's
# pool) under the tracer with `heapscope lab run`, which prints the article's
# claims, the measured values and the verdicts, then summarise its trace.
set -eu
build=${1:-build}
hs=$build/bin/heapscope
trace=$build/demo.db
echo "heapscope demo: lab 2, the first malloc's pool (docs/labs/02-first-malloc.md)"
"$hs" lab run first-malloc -o "$trace"
echo
"$hs" summary "$trace"
echo
echo "heapscope demo: the trace is $trace; try:"
echo "  $hs leaks $trace"
echo "  sqlite3 $trace \"SELECT proc, op, origin, size FROM events WHERE op IN ('brk', 'mmap') ORDER BY seq\""
echo "  $hs lab list"

# viz: an HTML report of the demo trace, opened from disk without a server.
report=$("$hs" report "$trace" -o "$build/demo-report")
echo "heapscope demo: report written to $(cd "$(dirname "$report")" && pwd)/index.html"
