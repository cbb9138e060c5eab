#!/usr/bin/env bash
# differential.sh HEAPSCOPE FIXTURE SEED N [GLIBC_TUNABLES value]
# Records FIXTURE for real under the tracer, replays it through the model
# and fails unless every predicted address is exact and every mallinfo2()
# snapshot equals the model's. With HS_DIFF_THREADS=1 (threaded fixtures)
# other arenas are expected: mallinfo2() then sums them and is not compared,
# and some allocations must have been observed in other arenas.
set -eu
hs=$1 fx=$2 seed=$3 n=$4 tun=${5:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -n "$tun" ]; then
  GLIBC_TUNABLES=$tun "$hs" record -o "$dir/t.db" -- "$fx" "$seed" "$n" >/dev/null 2>&1
else
  "$hs" record -o "$dir/t.db" -- "$fx" "$seed" "$n" >/dev/null 2>&1
fi
"$hs" check --json "$dir/t.db" > "$dir/check.json"
# the other model commands must produce valid JSON / CSV on the same trace
"$hs" heap --json "$dir/t.db" > "$dir/heap.json"
"$hs" bins --json --mark "${HS_DIFF_MARK:-op-1000}" "$dir/t.db" > "$dir/bins.json"
"$hs" frag --json --every 5000 "$dir/t.db" > "$dir/frag.json"
"$hs" frag --csv "$dir/t.db" > "$dir/frag.csv"
"$hs" explain "$dir/t.db" 50 > /dev/null
HS_DIFF_THREADS=${HS_DIFF_THREADS:-0} python3 - "$dir/check.json" <<'PY'
import json, sys
import csv, os
r = json.load(open(sys.argv[1]))
d = os.path.dirname(sys.argv[1])
heap = json.load(open(d + "/heap.json"))
assert set(heap) == {"chunks", "mmapped", "mallinfo"}, heap.keys()
assert heap["chunks"] and all(set(c) == {"addr", "size", "state"} for c in heap["chunks"])
# chunks tile the heap: each starts where the previous one ends
assert all(a["addr"] + a["size"] <= b["addr"] for a, b in zip(heap["chunks"], heap["chunks"][1:]))
assert heap["chunks"][-1]["state"] == "top"
assert json.load(open(d + "/bins.json"))["bins"]
assert len(json.load(open(d + "/frag.json"))["rows"]) >= 2
rows = list(csv.reader(open(d + "/frag.csv")))
assert len(rows) >= 3 and all(len(x) == 15 for x in rows), rows[:2]
bad = 0
threads = os.environ.get("HS_DIFF_THREADS") == "1"
for p in r["processes"]:
    mi = [m for m in p["mallinfo"] if not m["equal"]] if not threads else []
    if threads and p["observed"] == 0:
        print("expected allocations in other arenas")
        bad = 1
    mi_note = "not compared (other arenas)" if threads else f"{len(p['mallinfo'])-len(mi)}/{len(p['mallinfo'])} equal"
    print(f"pid {p['pid']}: {p['exact']}/{p['predicted']} exact, {p['observed']} observed, mallinfo {mi_note}")
    if p["exact"] != p["predicted"] or p["predicted"] == 0 or mi:
        bad = 1
        for d in p["first_divergences"][:3]:
            print("  divergence:", d)
        for m in mi[:3]:
            print("  mallinfo differs at", m["seq"], m["label"])
sys.exit(bad)
PY
