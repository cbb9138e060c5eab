#!/bin/sh
# record_cpus.sh HEAPSCOPE - the traced program may use exactly the CPUs
# `heapscope record` may use: record keeps its own threads off one CPU
# while the program runs (analyzer/lib/cpu_share.h), never the program.
set -u
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
want=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
for mode in --no-faults ""; do
  got=$("$hs" record $mode -o "$dir/t.db" -- sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status 2>"$dir/err")
  if [ "$got" = "$want" ]; then
    echo "ok: record ${mode:-(faults)}: the program may use CPUs $got"
  else
    echo "FAIL: record ${mode:-(faults)}: the program may use CPUs '$got', record could use '$want'"
    cat "$dir/err"
    fail=1
  fi
done
exit $fail
