#!/bin/sh
# check_cmd.sh HEAPSCOPE - `heapscope lab` computes verdicts from a real run:
# lab 2 measures 0x20d60 where the article says 0x20ff0, so that claim
# "differs"; the 0x21000 growth "holds"; --check passes on glibc 2.36; an
# unknown lab is an error naming it.
set -u
hs=$1
fail=0
expect() { # expect DESCRIPTION PATTERN TEXT
  if printf '%s\n' "$3" | grep -q -- "$2"; then echo "ok: $1"; else echo "FAIL: $1 (no '$2')"; fail=1; fi
}
json=$("$hs" lab run first-malloc --native --check --json)
rc=$?
printf '%s\n' "$json"
[ $rc -eq 0 ] || { echo "FAIL: lab run --check exited $rc"; fail=1; }
expect "pool differs" '"key": "pool_after_malloc64", [^}]*"measured": "0x20d60", "as_expected": true, "verdict": "differs"' "$json"
expect "growth holds" '"key": "heap_growth", [^}]*"measured": "0x21000", "as_expected": true, "verdict": "holds"' "$json"
expect "mmap bisection" '"key": "first_mmap_request", [^}]*"measured": "0x20d49"' "$json"
expect "native run has no trace" '"trace": null' "$json"

text=$("$hs" lab run 2 --native)
expect "text verdict" 'verdict  differs: glibc 2.26+ allocates its 0x290-byte tcache' "$text"
expect "text summary" 'summary: 2 hold, 4 differ, 0 info, 3 cannot run here' "$text"
expect "text measure" 'measure  pool_after_malloc64 = 0x20d60   article: == 0x20ff0   glibc 2.36: 0x20d60' "$text"

err=$("$hs" lab run no-such-lab 2>&1)
rc=$?
expect "unknown lab message" "heapscope lab: no lab named 'no-such-lab' (see 'heapscope lab list')" "$err"
[ $rc -eq 1 ] || { echo "FAIL: unknown lab exited $rc, not 1"; fail=1; }
"$hs" lab run 2>/dev/null
[ $? -eq 2 ] || { echo "FAIL: missing NAME is not a usage error"; fail=1; }

list=$("$hs" lab list)
expect "list has 15 labs" '^15  iocp' "$list"

# Traced: the lab runs under `heapscope record`, the trace is left behind
# and the trace measures come from it (one brk of 0x21000 in the lab).
rm -f lab-traced.db
json=$("$hs" lab run first-malloc -o lab-traced.db --check --json 2>/dev/null)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: traced lab run --check exited $rc"; fail=1; }
[ -s lab-traced.db ] || { echo "FAIL: no trace lab-traced.db"; fail=1; }
expect "traced run names its trace" '"trace": "lab-traced.db"' "$json"
expect "one allocator brk" '"key": "trace_main_allocator_brk", [^}]*"measured": "1", "as_expected": true, "verdict": "holds"' "$json"
expect "brk of 0x21000" '"key": "trace_main_heap_growth", [^}]*"measured": "0x21000", "as_expected": true, "verdict": "holds"' "$json"
expect "same pool under the tracer" '"key": "pool_after_malloc64", [^}]*"measured": "0x20d60"' "$json"
native=$("$hs" lab run first-malloc --native --json)
expect "trace measures cannot run natively" '"key": "trace_main_heap_growth", [^}]*"verdict": "cannot run here", "why": "run natively: no trace to query"' "$native"
rm -f lab-traced.db
exit $fail
