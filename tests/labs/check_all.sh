#!/bin/sh
# check_all.sh HEAPSCOPE - every lab under the tracer (`heapscope lab run
# --all --check`): each runs, prints every key its claims need, the trace
# measures are read from its trace, and every value equals the one recorded
# for glibc 2.36 in labs/claims.def. The traces (about 130 MB) are removed.
set -u
dir=lab-traces.$$
mkdir -p "$dir"
"$1" lab run --all --check --dir "$dir" > "$dir.out" 2>&1
rc=$?
grep -E '^lab |\(!\)|not measured|failed' "$dir.out"
n=$(ls "$dir"/*.db 2>/dev/null | wc -l)
echo "check_all: $n traces written"
[ "$n" -eq 15 ] || { echo "check_all: FAIL expected 15 traces"; rc=1; }
[ $rc -eq 0 ] || { echo "check_all: FAIL (exit $rc); full output:"; cat "$dir.out"; }
rm -rf "$dir" "$dir.out"
exit $rc
