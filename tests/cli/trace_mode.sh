#!/bin/sh
# trace_mode.sh HEAPSCOPE - a trace gets the mode any new file would (0666
# less the umask), not mkstemp's 0600: a teacher's traces can be shared.
set -u
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
for pair in 022:644 077:600 002:664; do
  mask=${pair%%:*} want=${pair#*:}
  (umask "$mask"; "$hs" record --no-faults -o "$dir/t$mask.db" -- true >/dev/null 2>&1)
  got=$(stat -c %a "$dir/t$mask.db")
  if [ "$got" = "$want" ]; then echo "ok: umask $mask: $got"; else echo "FAIL: umask $mask: $got, not $want"; fail=1; fi
done
exit $fail
