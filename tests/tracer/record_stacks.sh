#!/bin/sh
# record_stacks.sh HEAPSCOPE FX_STACKS FX_STACKS_SOURCE - call stacks (`record --stack N`,
# tracer/stack.h): fx_stacks allocates through a wrapper from two functions
# on two threads. With --stack 4 every allocation of the program has a
# stack whose frame 0 is the block's caller, the wrapper's 100-byte blocks
# have make_a one frame up and the 200-byte ones make_b (as addresses and
# as `heapscope sites` names them); --stack 2 stores two frames; without
# --stack there are no stacks; a bad N is refused in one line; the HTML
# report shows the callers too; the tracer's cached walk finds what
# libgcc's unwinder finds; and the fixture's thread with a 32 KiB stack
# starts under the tracer (its static TLS comes out of that stack).
set -u
hs=$1
fx=$2
src=$3 # fx_stacks.c, for a compiler to chew on
. "$(dirname "$0")/../common/check.sh"
q() { sqlite3 "$1" "$2" 2>>"$dir/err"; }

"$hs" record --stack 4 -o "$dir/s4.db" -- "$fx" 2>"$dir/err"
check "record --stack 4 exits 0" $?
# alloc_stacks is built in SQLite's file format by the importer (btree_build.h)
ok=$(q "$dir/s4.db" "PRAGMA integrity_check")
[ "$ok" = ok ]
check "integrity_check: $ok" $?
n=$(q "$dir/s4.db" "SELECT count(*) FROM blocks b JOIN processes p USING(proc) WHERE p.exe LIKE '%fx_stacks' AND b.size IN (100, 200)")
[ "$n" = 100 ]
check "the trace holds the fixture's 100 blocks ($n)" $?
missing=$(q "$dir/s4.db" "SELECT count(*) FROM blocks b WHERE b.size IN (100, 200) AND b.alloc_seq NOT IN (SELECT seq FROM alloc_stacks)")
[ "$missing" = 0 ]
check "each of them has a stack ($missing without)" $?
wrong=$(q "$dir/s4.db" "SELECT count(*) FROM blocks b JOIN alloc_stacks a ON a.seq = b.alloc_seq JOIN stacks s ON s.stack = a.stack AND s.level = 0 WHERE s.addr != b.caller OR s.proc != b.proc")
[ "$wrong" = 0 ]
check "frame 0 of every stack is its block's caller ($wrong differ)" $?
depth=$(q "$dir/s4.db" "SELECT max(level) + 1 FROM stacks")
[ "$depth" = 4 ]
check "at most 4 frames ($depth)" $?
# One frame up from xmalloc: a single address per size, a different one for each.
up=$(q "$dir/s4.db" "SELECT b.size, count(DISTINCT s.addr), count(*) FROM blocks b JOIN alloc_stacks a ON a.seq = b.alloc_seq JOIN stacks s ON s.stack = a.stack AND s.level = 1 WHERE b.size IN (100, 200) GROUP BY b.size ORDER BY b.size")
[ "$up" = "100|1|30
200|1|70" ]
check "frame 1: one caller of xmalloc per size, 30 and 70 blocks ($(echo $up))" $?
same=$(q "$dir/s4.db" "SELECT count(DISTINCT s.addr) FROM blocks b JOIN alloc_stacks a ON a.seq = b.alloc_seq JOIN stacks s ON s.stack = a.stack AND s.level = 1 WHERE b.size IN (100, 200)")
[ "$same" = 2 ]
check "make_a and make_b call xmalloc from two places ($same)" $?
"$hs" sites "$dir/s4.db" --json >"$dir/sites.json" 2>"$dir/err"
check "sites --json exits 0" $?
python3 - "$dir/sites.json" >"$dir/names" 2>>"$dir/err" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["by_bytes"]:
    if s["where"].startswith("xmalloc") and s.get("callers"):
        print(s["bytes"] // s["n_allocs"], s["n_allocs"], s["callers"][0].split(" ")[0])
PY
names=$(sort "$dir/names" | tr '\n' ' ')
[ "$names" = "100 30 make_a 200 70 make_b 400 1 make_leak " ]
check "sites names make_a (30 x 100 bytes), make_b (70 x 200) and make_leak above xmalloc ($names)" $?
# leaks: the 400-byte block's first caller above xmalloc lies in make_leak
"$hs" leaks "$dir/s4.db" --json >"$dir/leaks.json" 2>>"$dir/err"
nm "$fx" >"$dir/nm" 2>>"$dir/err"
python3 - "$dir/leaks.json" "$dir/nm" >"$dir/leak" 2>>"$dir/err" <<'PY'
import json, sys
syms = sorted((int(a, 16), name) for a, kind, name in
              (line.split() for line in open(sys.argv[2]) if len(line.split()) == 3) if kind in "tT")
for l in json.load(open(sys.argv[1])):
    if l["size"] == 400 and l.get("callers"):
        off = int(l["callers"][0].split("+")[-1].rstrip(")"), 16)
        print(max((s for s in syms if s[0] <= off), default=(0, "?"))[1], len(l["callers"]))
PY
[ "$(cat "$dir/leak")" = "make_leak 3" ]
check "leaks: the 400-byte block from xmalloc <- make_leak, 3 callers ($(cat "$dir/leak"))" $?
n=$("$hs" sites "$dir/s4.db" --no-stacks --json 2>>"$dir/err" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for s in d["by_bytes"] if s["where"].startswith("xmalloc")), sum(1 for s in d["by_bytes"] if "callers" in s))')
[ "$n" = "1 0" ]
check "sites --no-stacks: one xmalloc site, no callers ($n)" $?

"$hs" report "$dir/s4.db" -o "$dir/report" >/dev/null 2>"$dir/err"
check "report exits 0" $?
grep -q "xmalloc ([^)]*fx_stacks.c:[0-9]*) ← make_b ([^)]*fx_stacks.c:[0-9]*) ← thread_b" "$dir/report/index.html" 2>>"$dir/err"
check "the report names make_b and thread_b above xmalloc" $?

# The cached walk (tracer/stack_walk.h) against libgcc's alone
# (HS_STACK_UNWIND=libgcc): the same stacks, with the same counts. With
# address randomization off (setarch -R) the two runs' addresses are
# comparable, and so is a compiler's run (gcc hashes pointers: what it
# allocates depends on where things are mapped); where that is not
# allowed, the fixture's stacks are compared by name.
norand=""
setarch "$(uname -m)" -R true 2>/dev/null && norand="setarch $(uname -m) -R"
same_stacks() { # name min_deep program args... (min_deep: stacks of 9 frames or more)
  name=$1
  min_deep=$2
  shift 2
  sound=yes
  for how in cached libgcc; do
    HS_STACK_UNWIND=$how $norand "$hs" record --no-faults --stack 16 -o "$dir/$name-$how.db" -- "$@" >/dev/null 2>>"$dir/err"
    [ "$(q "$dir/$name-$how.db" "PRAGMA integrity_check")" = ok ] || sound=no
    if [ -n "$norand" ]; then
      q "$dir/$name-$how.db" "SELECT f, count(*) FROM (SELECT (SELECT group_concat(printf('%x', addr), ' ') FROM (SELECT addr FROM stacks WHERE stack = a.stack ORDER BY level)) AS f FROM alloc_stacks a) GROUP BY f ORDER BY f" >"$dir/$name-$how.txt"
    else
      "$hs" sites "$dir/$name-$how.db" --json --top 1000000 2>>"$dir/err" |
        python3 -c 'import json, sys; [print(s["where"], "<-", " <- ".join(s.get("callers", [])), "|", s["n_allocs"]) for s in json.load(sys.stdin)["by_bytes"]]' |
        sort >"$dir/$name-$how.txt"
    fi
  done
  n=$(wc -l <"$dir/$name-cached.txt")
  # frames: addresses before the |, or names joined by <-
  deep=$(awk -v names="${norand:-1}" '{ n = names == 1 ? gsub(/<-/, "") + 1 : split($0, f, " ") }
    n >= 9 { d++ } END { print d + 0 }' "$dir/$name-cached.txt")
  echo "$n stacks, $deep of 9 frames or more${norand:+, addresses compared}, integrity_check ${sound}"
  cmp -s "$dir/$name-cached.txt" "$dir/$name-libgcc.txt" && [ "$n" -gt 0 ] && [ "$deep" -ge "$min_deep" ] &&
    [ $sound = yes ]
}
out=$(same_stacks fixture 1 "$fx")
check "cached walk = libgcc's on fx_stacks ($out)" $?
if [ -n "$norand" ]; then
  out=$(same_stacks gcc 1000 gcc -O2 -c -o "$dir/fx.o" "$src")
  check "cached walk = libgcc's on gcc -c ($out)" $?
else
  echo "skip: cached walk against libgcc's on gcc -c (setarch -R is not allowed here)"
fi

# explain names the call with its stack
seq=$(q "$dir/s4.db" "SELECT alloc_seq FROM blocks WHERE size = 200 LIMIT 1")
line=$("$hs" explain "$dir/s4.db" "$seq" 2>>"$dir/err" | sed -n 2p)
case $line in "called from xmalloc ("*"fx_stacks.c:"*") <- make_b ("*"fx_stacks.c:"*") <- thread_b ("*) ok=0 ;; *) ok=1 ;; esac
check "explain $seq: $line" $ok

# summary counts them: 100 + 20 + 1 of the fixture's, and libc's
line=$("$hs" summary "$dir/s4.db" 2>>"$dir/err" | grep '^call stacks:')
json=$("$hs" summary "$dir/s4.db" --json 2>>"$dir/err" | python3 -c 'import json, sys; c = json.load(sys.stdin)["call_stacks"]; print(c["allocations"] >= 121, c["stacks"], c["max_depth"])')
want=$(q "$dir/s4.db" "SELECT count(*) FROM alloc_stacks")
case $line in "call stacks: $want allocations with one, "*" distinct, up to 4 frames (heapscope sites names them)") ok=0 ;; *) ok=1 ;; esac
[ $ok = 0 ] && [ "${json% *}" = "True $(q "$dir/s4.db" "SELECT count(DISTINCT stack) FROM stacks")" ] && [ "${json##* }" = 4 ]
check "summary counts the stacks ($line; json: $json)" $?

"$hs" record --stack 2 -o "$dir/s2.db" -- "$fx" 2>"$dir/err"
depth=$(q "$dir/s2.db" "SELECT max(level) + 1 FROM stacks")
[ "$depth" = 2 ]
check "record --stack 2: 2 frames ($depth)" $?

"$hs" record -o "$dir/s1.db" -- "$fx" 2>"$dir/err"
status=$?
n=$(q "$dir/s1.db" "SELECT (SELECT count(*) FROM stacks) + (SELECT count(*) FROM alloc_stacks)")
[ "$status" = 0 ] && [ "$n" = 0 ]
check "without --stack: exit 0 (a 32 KiB thread stack is enough), no stacks ($n rows)" $?

"$hs" record --stack 17 -o "$dir/bad.db" -- "$fx" >/dev/null 2>"$dir/err"
[ $? = 2 ] && grep -q "^heapscope record: --stack wants a number of frames from 1 to 16, not '17'$" "$dir/err" && [ ! -e "$dir/bad.db" ]
check "--stack 17: exit 2, one line naming it, no trace" $?
exit $fail
