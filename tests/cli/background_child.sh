#!/bin/sh
# background_child.sh HEAPSCOPE - a child the program leaves running in the
# background (`prog &` in a shell that exits at once) is traced: record
# waits for the ring of a child a fork event names, which may only appear
# after the program ended; the child's ppid is the process that forked
# it (by the fork event), not 1, though its parent was gone when it started.
set -u
hs=$1
. "$(dirname "$0")/../common/check.sh"
for mode in live after; do
  if [ $mode = after ]; then export HS_LIVE_IMPORT=0; fi
  for round in 1 2 3; do
    "$hs" record --no-faults -o "$dir/bg.db" -- sh -c 'sleep 0.2 & exit 0' 2>"$dir/err" ||
      { cat "$dir/err"; echo "FAIL: record"; exit 1; }
    rows=$(sqlite3 "$dir/bg.db" "SELECT count(*) FROM processes c JOIN processes p
                                  ON c.ppid = p.pid AND p.exec_gen = 0
                                  WHERE c.exe LIKE '%/sleep' AND p.exe NOT LIKE '%/sleep'
                                  AND EXISTS (SELECT 1 FROM events e WHERE e.op = 'fork'
                                              AND e.pid = p.pid AND e.ptr = c.pid)")
    [ "$rows" = 1 ]
    check "$mode import, round $round: the background sleep is traced, its parent the shell that forked it" $?
  done
done
exit $fail
