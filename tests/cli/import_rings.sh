#!/bin/sh
# import_rings.sh HEAPSCOPE TRACER - logs of a program preloaded by hand with
# HS_RING=1 (rings, which only `heapscope record` drains) are named as such
# by `heapscope import`, with what to do instead.
set -u
hs=$1 tracer=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/logs"
HS_RING=1 HS_RING_WAIT_MS=1 HS_LOGDIR="$dir/logs" LD_PRELOAD="$tracer" ls / >/dev/null 2>&1
msg=$("$hs" import "$dir/logs" -o "$dir/t.db" 2>&1)
rc=$?
want="heapscope import: '$dir/logs' holds only rings (<pid>.<gen>.ring), which only heapscope record can drain: preload the tracer without HS_RING=1"
if [ $rc -eq 1 ] && [ "$msg" = "$want" ]; then echo "ok: $msg"; else echo "FAIL: exit $rc, said '$msg'"; exit 1; fi
