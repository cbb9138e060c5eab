#!/usr/bin/env bash
# real_programs.sh HEAPSCOPE - the model against real programs, not fixtures:
# records a few everyday single-threaded programs of this Debian 12 machine
# and fails unless `heapscope check` predicts every allocation's address
# exactly (mremap moves the kernel chose are observed, not predicted) and
# every recorded mallinfo2() equals the model's, in every
# process image (programs that exec, like a pyenv shim, give several).
set -eu
hs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
printf 'create table t(a, b);\n' > s.sql
for i in $(seq 1 200); do printf "insert into t values (%d, hex(randomblob(%d)));\n" "$i" "$((i * 7))"; done >> s.sql
printf 'select count(*), sum(length(b)) from t;\ncreate index ti on t(b);\n' >> s.sql
printf 'int f(int x) { return x * 2; }\n' > f.c
run() { # NAME PROGRAM ARGS...
  name=$1; shift
  command -v "$1" >/dev/null || { echo "skip $name: $1 not installed"; return 0; }
  "$hs" record --no-faults -o "$name.db" -- "$@" >/dev/null 2>"$name.err" </dev/null ||
    { echo "FAIL $name: record failed"; cat "$name.err"; exit 1; }
  "$hs" check --json "$name.db" > "$name.json"
  /usr/bin/python3 - "$name" "$name.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
bad = []
images = [p for p in r["processes"] if p["model_applies"]]
if not images:
    bad.append("no process image the model applies to")
for p in images:
    mi = [m for m in p["mallinfo"] if not m["equal"]]
    if p["exact"] != p["predicted"] or p["divergences"] or mi:
        bad.append(f"pid {p['pid']}: {p['exact']}/{p['predicted']} exact, {p['divergences']} divergences, "
                   f"{len(mi)} mallinfo differences, {p['observed']} observed")
total = sum(p["predicted"] for p in images)
if total < 100:
    bad.append(f"only {total} allocations: the program did not run as expected")
print(f"{name}: {sum(p['exact'] for p in images)}/{total} exact in {len(images)} image(s)")
for b in bad:
    print("FAIL", name, b)
sys.exit(1 if bad else 0)
PY
}
run ls ls -lR /usr/share/doc/libc6
run sqlite3 sqlite3 :memory: -init s.sql .quit
run python3 /usr/bin/python3 -c 'import json; print(len(json.dumps({str(i): list(range(i % 50)) for i in range(3000)})))'
run gcc gcc -c f.c -o f.o
git init -q repo && printf "x\n" > repo/a.txt
run git git -C repo status --porcelain
