#!/usr/bin/env bash
# differential.sh HEAPSCOPE FIXTURE SEED N [GLIBC_TUNABLES value]
# Records FIXTURE for real under the tracer, replays it through the model
# and fails unless every predicted address is exact and every mallinfo2()
# snapshot equals the model's.
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
python3 - "$dir/check.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = 0
for p in r["processes"]:
    mi = [m for m in p["mallinfo"] if not m["equal"]]
    print(f"pid {p['pid']}: {p['exact']}/{p['predicted']} exact, {len(p['mallinfo'])-len(mi)}/{len(p['mallinfo'])} mallinfo equal")
    if p["exact"] != p["predicted"] or p["predicted"] == 0 or mi:
        bad = 1
        for d in p["first_divergences"][:3]:
            print("  divergence:", d)
        for m in mi[:3]:
            print("  mallinfo differs at", m["seq"], m["label"])
sys.exit(bad)
PY
