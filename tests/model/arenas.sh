#!/usr/bin/env bash
# arenas.sh HEAPSCOPE FX_ARENA_MAX1 FX_MANY_THREADS FX_THREAD_EXITS - threads
# on the main arena besides the main thread: with M_ARENA_MAX 1 (every
# thread), and with more threads than arenas (reused_arena hands some the
# main arena). Each such thread's tcache structure is a main-arena chunk the
# trace does not show; the check fails unless every main-arena address is
# predicted exactly (0 divergences) and the traces really had such threads.
# FX_THREAD_EXITS: threads exit with chunks in their tcaches (flushed into
# the main arena, unseen but for the tracer's thread_exit event), on the
# main arena and in their own; in mode 2 no later allocation proves the
# exits, and the mallinfo2 snapshot at exit must match the model.
set -eu
hs=$1 fx_max1=$2 fx_many=$3 fx_exits=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$hs" record -o "$dir/max1.db" -- "$fx_max1" 6 10 >/dev/null 2>&1
"$hs" record -o "$dir/many.db" -- "$fx_many" 40 4 >/dev/null 2>&1
"$hs" record -o "$dir/exits1.db" -- "$fx_exits" 1 3 >/dev/null 2>&1
"$hs" record -o "$dir/exits0.db" -- "$fx_exits" 0 3 >/dev/null 2>&1
"$hs" record -o "$dir/exits2.db" -- "$fx_exits" 2 3 >/dev/null 2>&1
for t in exits1 exits0 exits2; do
  "$hs" check --json "$dir/$t.db" > "$dir/$t.json"
done
# explain of a thread's end names it and says where its tcache went
seq=$(sqlite3 "$dir/exits2.db" "SELECT seq FROM events WHERE op = 'thread_exit' ORDER BY seq LIMIT 1")
"$hs" explain "$dir/exits2.db" "$seq" > "$dir/explain.txt"
grep -q "^seq $seq: thread_exit of thread [0-9]*: glibc gives its tcache back to the arenas$" "$dir/explain.txt" &&
  grep -q "^  thread [0-9]* has exited: its 7 tcache chunks and its tcache structure went back" "$dir/explain.txt" ||
  { echo "FAIL explain of a thread_exit:"; cat "$dir/explain.txt"; exit 1; }
seq=$(sqlite3 "$dir/max1.db" "SELECT seq FROM events WHERE op = 'mallopt'")
"$hs" explain "$dir/max1.db" "$seq" | grep -q "^seq $seq: mallopt(M_ARENA_MAX, 1), thread [0-9]*$" ||
  { echo "FAIL explain of mallopt names M_ARENA_MAX"; exit 1; }
"$hs" check --json "$dir/max1.db" > "$dir/max1.json"
"$hs" check --json "$dir/many.db" > "$dir/many.json"
python3 - "$dir" <<'PY'
import json, sqlite3, sys
d = sys.argv[1]
bad = 0
def fail(msg):
    global bad
    print("FAIL", msg)
    bad = 1
for name, threads, own in (("max1", 6, 6 * (1 + 10 * 16)), ("many", 40, 40 * 4 * 20),
                           ("exits1", 3, 4 * 10), ("exits0", 3, 4 * 10), ("exits2", 3, 3 * 7)):
    r = json.load(open(f"{d}/{name}.json"))
    db = sqlite3.connect(f"{d}/{name}.db")
    # threads other than the main one with blocks in the main arena
    on_main = db.execute("SELECT count(DISTINCT b.tid) FROM blocks b WHERE b.tid IS NOT NULL"
                         " AND b.flags & 6 = 0").fetchone()[0]
    for p in r["processes"]:
        print(f"{name}: pid {p['pid']}: {p['exact']}/{p['predicted']} exact, "
              f"{p['divergences']} divergences, {p['observed']} observed, "
              f"{on_main} threads besides main on the main arena")
        if p["divergences"] != 0 or p["exact"] != p["predicted"]:
            fail(f"{name}: not every address predicted")
            for x in p["first_divergences"][:3]:
                print("  divergence:", x)
        if p["allocations"] < own:
            fail(f"{name}: {p['allocations']} allocations, the fixture makes {own}")
    if name == "max1":
        # one arena: every thread's blocks are predicted, none observed
        if on_main != threads or r["processes"][0]["observed"] != 0:
            fail("max1: threads outside the main arena")
    elif name == "many" and (on_main < 1 or r["processes"][0]["observed"] == 0):
        fail("many: expected new arenas and reused ones, the main arena among them")
    elif name == "exits1" and on_main != threads:
        fail("exits1: threads outside the main arena")
    elif name == "exits2":
        exits = db.execute("SELECT count(*) FROM events WHERE op = 'thread_exit'").fetchone()[0]
        snaps = r["processes"][0]["mallinfo"]
        if exits != threads:
            fail(f"exits2: {exits} thread_exit events, {threads} threads")
        if not snaps or not all(s["equal"] for s in snaps):
            fail(f"exits2: mallinfo2 at exit differs from the model: {snaps}")
sys.exit(bad)
PY
