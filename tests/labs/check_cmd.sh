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
expect "text measure" 'measure  pool_after_malloc64 = 0x20d60   article: == 0x20ff0   expected here: 0x20d60' "$text"

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
# The verdicts are stored in the trace (table lab_claims), and the report
# shows them (the numbers as the C command wrote them).
rows=$(sqlite3 -separator '|' lab-traced.db "SELECT lab, number, ord, key, rule, article_value,
  glibc236_value, measured, verdict, as_expected, substr(reason, 1, 40) FROM lab_claims ORDER BY ord")
printf '%s\n' "$rows"
expect "stored: pool differs" '^first-malloc|2|1|pool_after_malloc64|==|0x20ff0|0x20d60|0x20d60|differs|1|glibc 2.26+ allocates its 0x290-byte tca$' "$rows"
expect "stored: growth holds" '^first-malloc|2|3|heap_growth|==|0x21000|0x21000|0x21000|holds|1|$' "$rows"
expect "stored: first mmap" '^first-malloc|2|5|first_mmap_request|==|0x20ff9|0x20d49|0x20d49|differs|1|' "$rows"
expect "stored: trace growth" '^first-malloc|2|8|trace_main_heap_growth|==|0x21000|0x21000|0x21000|holds|1|$' "$rows"
expect "stored: info has no verdict" '^first-malloc|2|9|trace_probes_mmapped|info|||[0-9]*|info||$' "$rows"
n=$(sqlite3 lab-traced.db "SELECT count(*) FROM lab_claims")
[ "$n" = 9 ] || { echo "FAIL: $n rows in lab_claims, not 9"; fail=1; }
# A second run replaces the lab's rows instead of adding to them.
"$hs" lab run first-malloc -o lab-traced.db >/dev/null 2>&1
n=$(sqlite3 lab-traced.db "SELECT count(*) FROM lab_claims")
[ "$n" = 9 ] || { echo "FAIL: $n rows in lab_claims after a second run, not 9"; fail=1; }
rm -rf lab-report
if "$hs" report lab-traced.db -o lab-report >/dev/null 2>report.err; then
  page=$(sed -e 's/<[^>]*>/ /g' lab-report/index.html | tr -s ' \n' ' ')
  expect "report: claims section" "The article's claims, checked on this machine" "$page"
  expect "report: lab title" 'Lab 2 first-malloc: The first malloc' "$page"
  expect "report: counts" "4 hold, 4 differ, 1 info, 0 cannot run here" "$page"
  expect "report: pool row" "sbrk(0) - ptr is 0x20ff0: the pool malloc made pool_after_malloc64 == 0x20ff0 0x20d60 differs : glibc 2.26+ allocates its 0x290-byte tcache" "$page"
  expect "report: growth row" "heap_growth == 0x21000 0x21000 holds" "$page"
else
  echo "FAIL: heapscope report: $(cat report.err)"; fail=1
fi
rm -rf lab-report report.err
native=$("$hs" lab run first-malloc --native --json)
expect "trace measures cannot run natively" '"key": "trace_main_heap_growth", [^}]*"verdict": "cannot run here", "why": "needs the trace; run without --native"' "$native"
native_text=$("$hs" lab run first-malloc --native)
expect "text: trace measure not measured natively" 'measure  trace_main_heap_growth = not measured   article: == 0x21000' "$native_text"
expect "text: the reason" 'verdict  cannot run here: needs the trace; run without --native' "$native_text"
rm -f lab-traced.db
exit $fail
