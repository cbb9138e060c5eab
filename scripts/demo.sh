#!/usr/bin/env bash
# demo.sh BUILD - the main job of `make demo` (filled in as modules land).
set -eu
echo "heapscope demo: built into $1/bin/heapscope"

# viz: an HTML report of a traced run (ls -lR of the system headers:
# thousands of allocations, brk growth, leaks at exit), opened from disk.
hs="$1/bin/heapscope"
mkdir -p "$1/demo"
"$hs" record -o "$1/demo/ls.db" -- ls -lR /usr/include >/dev/null
report=$("$hs" report "$1/demo/ls.db" -o "$1/demo/report")
echo "heapscope demo: report written to $(cd "$(dirname "$report")" && pwd)/index.html"
