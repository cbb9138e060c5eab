#!/usr/bin/env bash
# gdb_bins.sh HEAPSCOPE TRACER FIXTURE - the real-state check: run the
# fixture under the tracer inside gdb, dump glibc's real bins at every mark
# (gdb_bins.py, libc6-dbg symbols), import the logs and demand that
# `heapscope bins --mark` lists the same chunks in the same order.
set -eu
hs=$1 tracer=$2 fx=$3
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/logs"
HS_GDB_OUT=$dir/real.jsonl gdb -batch -nx \
  -ex "set environment LD_PRELOAD=$tracer" -ex "set environment HS_LOGDIR=$dir/logs" \
  -x "$here/gdb_bins.py" --args "$fx" 11 20000 >"$dir/gdb.log" 2>&1 || { cat "$dir/gdb.log"; exit 1; }
"$hs" import "$dir/logs" -o "$dir/t.db" >/dev/null 2>&1
python3 - "$hs" "$dir/t.db" "$dir/real.jsonl" <<'PY'
import json, subprocess, sys
hs, db, real = sys.argv[1:4]
n = bad = chunks = 0
for line in open(real):
    r = json.loads(line)
    chunks += sum(len(v) for kind in ("tcache", "fastbin", "bins") for v in r[kind].values())
    out = subprocess.run([hs, "bins", db, "--mark", r["label"], "--json"], capture_output=True,
                         text=True, check=True).stdout
    model = {"tcache": {}, "fastbin": {}, "bins": {}}
    for b in json.loads(out)["bins"]:
        addrs = [c["addr"] for c in b["chunks"]]
        kind = {"tcache": "tcache", "fastbin": "fastbin"}.get(b["kind"], "bins")
        model[kind][str(b["index"])] = addrs
    for kind in ("tcache", "fastbin", "bins"):
        if model[kind] != r[kind]:
            bad += 1
            keys = sorted(set(model[kind]) | set(r[kind]), key=int)
            diff = [k for k in keys if model[kind].get(k) != r[kind].get(k)]
            print(f"mark {r['label']}: {kind} differ in bins {diff[:5]}")
    n += 1
print(f"{n} marks, {chunks} free chunks compared with glibc's real bins (gdb), {bad} differences")
sys.exit(1 if bad or n == 0 or chunks == 0 else 0)
PY
