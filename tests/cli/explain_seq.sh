#!/bin/sh
# explain_seq.sh HEAPSCOPE - `heapscope explain` finds the process image of
# SEQ itself (not of SEQ-1, which may be another process's event): the first
# allocation of every process (sh, ls, python and its forked child) is
# explained, with the line it was called from, and a SEQ past the end is
# named as given.
set -u
hs=$1
fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# sh forks and execs ls; python's forked child allocates right after the
# parent's fork event
"$hs" record --no-faults -o "$dir/t.db" -- sh -c 'ls / >/dev/null; /usr/bin/python3 -c "
import os
pid = os.fork()
if pid == 0:
    x = [str(i) * 40 for i in range(200)]
    os._exit(0)
os.waitpid(pid, 0)
"' 2>/dev/null
n=0
for seq in $(sqlite3 "$dir/t.db" "SELECT min(seq) FROM events WHERE op IN ('malloc','calloc') GROUP BY pid"); do
  n=$((n + 1))
  first=$("$hs" explain "$dir/t.db" "$seq" 2>&1 | head -n 2 | tr '\n' '|')
  case $first in
    "seq $seq: "*"|called from "?*"|") echo "ok: explain $seq: $first" ;;
    *) echo "FAIL: explain $seq said '$first'"; fail=1 ;;
  esac
done
[ $n -ge 3 ] || { echo "FAIL: $n processes allocated, not 3 or more (sh, ls, python)"; fail=1; }
last=$(sqlite3 "$dir/t.db" "SELECT value FROM meta WHERE key='last_seq'")
past=$((last + 1))
msg=$("$hs" explain "$dir/t.db" $past 2>&1)
want="heapscope explain: seq $past is past the end of '$dir/t.db' (last seq $last)"
if [ "$msg" = "$want" ]; then echo "ok: $msg"; else echo "FAIL: said '$msg', not '$want'"; fail=1; fi
# A seq between events (a --stack trace's stack records) names the events
# around it.
"$hs" record --no-faults --stack 8 -o "$dir/s.db" -- ls / >/dev/null 2>&1
gap=$(sqlite3 "$dir/s.db" "SELECT min(seq) + 1 FROM events_traced e WHERE NOT EXISTS
                           (SELECT 1 FROM events_traced f WHERE f.seq = e.seq + 1)")
around=$(sqlite3 "$dir/s.db" "SELECT max(seq) FROM events_traced WHERE seq < $gap")" and "$(
         sqlite3 "$dir/s.db" "SELECT min(seq) FROM events_traced WHERE seq > $gap")
msg=$("$hs" explain "$dir/s.db" "$gap" 2>&1)
want="heapscope explain: no event $gap (the events around it: $around)"
if [ "$msg" = "$want" ]; then echo "ok: $msg"; else echo "FAIL: said '$msg', not '$want'"; fail=1; fi
exit $fail
