#!/bin/sh
# verdict_peak.sh HEAPSCOPE - the verdict's peak is, of the moments holding
# the most memory (brk heap + mmapped chunks), the one with the most live
# data, checked against `heapscope timeline --every 1` of a real program
# (`sh -c true` holds its 132 KiB from its first event, before any malloc).
set -u
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
for prog in "sh -c true" "ls -l /usr/share"; do
  "$hs" record --no-faults -o "$dir/t.db" -- $prog >/dev/null 2>&1 || { echo "FAIL: record $prog"; exit 1; }
  "$hs" timeline "$dir/t.db" --csv --every 1 > "$dir/t.csv"
  "$hs" verdict "$dir/t.db" --json > "$dir/v.json"
  if /usr/bin/python3 - "$dir/t.csv" "$dir/v.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
held = lambda r: int(r["heap_extent"]) + int(r["mmapped"])
top = max(held(r) for r in rows)
live = max(int(r["live_requested"]) for r in rows if held(r) == top)
peak = json.load(open(sys.argv[2]))["peak"]
ok = peak["held"] == top and peak["live_requested"] == live and live > 0
print(("ok" if ok else "FAIL") + ": held %d live %d, verdict says held %d live %d"
      % (top, live, peak["held"], peak["live_requested"]))
sys.exit(0 if ok else 1)
PY
  then :; else fail=1; fi
done
exit $fail
