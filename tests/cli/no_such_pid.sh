#!/bin/sh
# no_such_pid.sh HEAPSCOPE - every command with --pid says when the trace has
# no such process (exit 1), instead of printing an empty table.
set -u
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$hs" record --no-faults -o "$dir/t.db" -- true >/dev/null 2>&1 || { echo "FAIL: record"; exit 1; }
fail=0
for cmd in "timeline --csv" "lifetimes --csv" "frag" "heap" "bins"; do
  set -- $cmd
  msg=$("$hs" "$@" "$dir/t.db" --pid 4294967295 2>&1 >/dev/null)
  rc=$?
  want="heapscope $1: no process 4294967295 in '$dir/t.db'"
  if [ $rc -eq 1 ] && [ "$msg" = "$want" ]; then echo "ok: $cmd"; else echo "FAIL: $cmd: exit $rc, said '$msg'"; fail=1; fi
done
msg=$("$hs" explain "$dir/t.db" 1 --pid 4294967295 2>&1 >/dev/null)
rc=$?
want="heapscope explain: no process 4294967295 in '$dir/t.db'"
if [ $rc -eq 1 ] && [ "$msg" = "$want" ]; then echo "ok: explain"; else echo "FAIL: explain: exit $rc, said '$msg'"; fail=1; fi
exit $fail
