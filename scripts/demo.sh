#!/usr/bin/env bash
# demo.sh BUILD - the main job of `make demo`: run lab 2 (the first malloc's
# pool) under the tracer with `heapscope lab run`, which prints the article's
# claims, the measured values and the verdicts and stores them in the trace,
# then write the HTML report of that trace (it opens with those claims) and
# end on its path.
set -eu
build=${1:-build}
hs=$build/bin/heapscope
trace=$build/demo.db
echo "heapscope demo: lab 2, the first malloc's pool (docs/labs/02-first-malloc.md)"
"$hs" lab run first-malloc -o "$trace"
echo
echo "heapscope demo: the trace is $trace; try:"
echo "  $hs summary $trace"
echo "  $hs bins $trace --mark after-first-malloc"
echo "  sqlite3 -column $trace \"SELECT key, article_value, measured, verdict FROM lab_claims\""
echo "  sqlite3 $trace \"SELECT proc, op, origin, size FROM events WHERE op IN ('brk', 'mmap') ORDER BY seq\""
echo "  $hs lab list"
echo

# viz: an HTML report of the demo trace, opened from disk without a server.
report=$("$hs" report "$trace" -o "$build/demo-report")
path=$(cd "$(dirname "$report")" && pwd)/index.html
echo "heapscope demo: report written; open it in a browser (it starts with the claims above):"
echo "  $path"
