#!/bin/sh
# record_fsize.sh HEAPSCOPE - under a small RLIMIT_FSIZE (ulimit -f),
# `heapscope record` still records, into a smaller ring (tracer/sink.c),
# instead of being killed by SIGXFSZ or failing on a linear log; the
# traced program still gets SIGXFSZ as it would without heapscope; and a
# trace that outgrows the limit is one line of error, not a SIGXFSZ death.
set -u
hs=$1
. "$(dirname "$0")/../common/check.sh"
# ulimit -f counts 512-byte blocks in POSIX sh (dash): 2048 is 1 MiB.
(ulimit -f 2048; "$hs" record -o "$dir/small.db" -- ls / >/dev/null 2>"$dir/err")
check "record under ulimit -f 2048 (1 MiB) exits 0" $?
n=$(sqlite3 "$dir/small.db" "SELECT count(*) FROM events WHERE op = 'malloc'" 2>>"$dir/err")
[ "${n:-0}" -gt 0 ]
check "the trace holds ls's mallocs ($n)" $?
ring=$(sqlite3 "$dir/small.db" "SELECT count(*) FROM processes WHERE log_flags & 16" 2>>"$dir/err")
[ "${ring:-0}" -gt 0 ]
check "ls wrote a (smaller) ring" $?
# SigIgn is a hex mask; SIGXFSZ (25) is bit 24: the program's view of the
# standard signals (1-31) must be the shell's. (Signals 32 and 33 are
# glibc's own: a threaded parent like heapscope handles them, so a child
# it execs has them at their default whatever the shell had.)
want=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status)
got=$( (ulimit -f 2048; "$hs" record -o "$dir/sig.db" -- sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status 2>"$dir/err") )
[ -n "$got" ] && [ $((0x$got & 0x7fffffff)) = $((0x$want & 0x7fffffff)) ]
check "the program ignores the standard signals the shell ignores ('$got', '$want')" $?
# 40000 mallocs make a trace of about 1.5 MiB: more than 256 KiB.
(ulimit -f 512; "$hs" record -o "$dir/big.db" -- python3 -c "x = [bytearray(100) for i in range(40000)]" >/dev/null 2>"$dir/err")
status=$?
[ "$status" = 1 ] && [ "$(grep -c . "$dir/err")" -ge 1 ] && grep -q "File too large\|size limit" "$dir/err" && [ ! -e "$dir/big.db" ]
check "a trace past ulimit -f 512 (256 KiB): exit 1 ($status), a message, no file" $?
# The live import had the records in memory only: the message says so and
# how to keep them next time.
grep -q "records are lost (with HS_LIVE_IMPORT=0" "$dir/err"
check "the message names HS_LIVE_IMPORT=0" $?
# With HS_LIVE_IMPORT=0 the logs stay, and importing them elsewhere works
# (they hold what the limit let each log keep: some of python's blocks).
(ulimit -f 512; HS_LIVE_IMPORT=0 TMPDIR="$dir" "$hs" record -o "$dir/big.db" -- python3 -c "x = [bytearray(100) for i in range(40000)]" >/dev/null 2>"$dir/err")
status=$?
logs=$(sed -n "s/.*retry: heapscope import \(.*\) -o FILE.*/\1/p" "$dir/err")
[ "$status" = 1 ] && [ -d "$logs" ] && [ ! -e "$dir/big.db" ] &&
  "$hs" import "$logs" -o "$dir/retry.db" 2>>"$dir/err" &&
  [ "$(sqlite3 "$dir/retry.db" "SELECT count(*) FROM blocks WHERE size = 100" 2>>"$dir/err")" -gt 0 ]
check "HS_LIVE_IMPORT=0: exit 1 ($status), the logs kept ('$logs'), imported again with python's blocks" $?
exit $fail
