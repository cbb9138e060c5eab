#!/bin/sh
# report_unknown_exit.sh HEAPSCOPE - a process whose exit is unknown (a
# forked child that allocates, then leaves with _exit, past the tracer's exit
# record) shows '-' in the report's process table, not Python's 'None'.
set -u
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$hs" record --no-faults -o "$dir/t.db" -- /usr/bin/python3 -c "
import os
if os.fork() == 0:
    x = [str(i) * 40 for i in range(200)]
    os._exit(0)
os.wait()
" >/dev/null 2>&1 || { echo "FAIL: record"; exit 1; }
"$hs" report "$dir/t.db" -o "$dir/r" >/dev/null || { echo "FAIL: report"; exit 1; }
if grep -q '>None<' "$dir/r/index.html"; then echo "FAIL: 'None' in the report"; exit 1; fi
grep -q '<td>-</td>' "$dir/r/index.html" || { echo "FAIL: no '-' for the unknown exit"; exit 1; }
echo "ok: unknown exit shown as '-'"
