#!/bin/sh
# check_nouring.sh FX_NOURING HEAPSCOPE - lab 14 where io_uring is refused
# (fx_nouring: a seccomp filter makes io_uring_setup fail for heapscope and
# the lab it runs): every io_uring claim is "cannot run here" with the
# kernel's error as the reason, the malloc half still runs, the command
# exits 0 (skipping is not a failure, even with --check), and a traced run
# stores the same verdicts in lab_claims next to the trace's own count of
# 20000 mallocs.
set -u
fx=$1
hs=$2
fail=0
expect() { # expect DESCRIPTION PATTERN TEXT
  if printf '%s\n' "$3" | grep -q -- "$2"; then echo "ok: $1"; else echo "FAIL: $1 (no '$2')"; fail=1; fi
}

text=$("$fx" EPERM "$hs" lab run io-uring --native --check)
rc=$?
printf '%s\n' "$text"
[ $rc -eq 0 ] || { echo "FAIL: lab run io-uring (io_uring refused) exited $rc"; fail=1; }
for key in rule_len_nonzero_rejected rule_waitall_rejected rule_no_select_rejected \
           uring_allocations uring_received uring_ns_per_msg; do
  block=$(printf '%s\n' "$text" | grep -A1 "^  measure  $key = not measured")
  expect "$key cannot run" "verdict  cannot run here: io_uring refused here (Operation not permitted)" "$block"
done
expect "malloc half still runs" '^  measure  malloc_ns_per_msg = [0-9]' "$text"
expect "summary" 'summary: 0 hold, 0 differ, 1 info, 7 cannot run here' "$text"

rm -f lab-nouring.db
json=$("$fx" ENOSYS "$hs" lab run io-uring -o lab-nouring.db --json 2>/dev/null)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: traced lab run io-uring (io_uring refused) exited $rc"; fail=1; }
expect "json: skipped with the reason" '"key": "uring_received", [^}]*"measured": "skip", "as_expected": null, "verdict": "cannot run here", "why": "io_uring refused here (Function not implemented)"' "$json"
rows=$(sqlite3 -separator '|' lab-nouring.db \
  "SELECT ord, key, measured, verdict, reason FROM lab_claims WHERE lab = 'io-uring' ORDER BY ord")
printf '%s\n' "$rows"
expect "stored: refused" '^1|rule_len_nonzero_rejected|skip|cannot run here|io_uring refused here (Function not implemented)$' "$rows"
expect "stored: trace count" '^8|trace_message_mallocs|20000|holds|$' "$rows"
n=$(sqlite3 lab-nouring.db "SELECT count(*) FROM lab_claims WHERE verdict = 'cannot run here'")
[ "$n" = 6 ] || { echo "FAIL: $n claims cannot run here in lab_claims, not 6"; fail=1; }
rm -f lab-nouring.db

# The wrapper itself: without it the same machine runs io_uring (unless
# this machine refuses io_uring anyway, e.g. in a container).
plain=$("$hs" lab run io-uring --native)
if printf '%s\n' "$plain" | grep -q '^  measure  uring_received = not measured'; then
  echo "note: io_uring is refused here even without fx_nouring"
else
  expect "io_uring runs without the filter" '^  measure  uring_received = 20000' "$plain"
fi
exit $fail
