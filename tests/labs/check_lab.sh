#!/bin/sh
# check_lab.sh EXPECTED PROGRAM [ARGS...] - run a lab program natively and
# compare its "measure: KEY VALUE" lines with EXPECTED ("KEY VALUE" lines,
# the values measured on Debian 12 / glibc 2.36; # starts a comment).
# Exact string comparison: addresses, sizes, counts and orderings only,
# never timings. A measurement the lab skips ("skip REASON": io_uring
# refused, a library missing) is reported, not failed.
set -u
expected=$1
shift
out=$("$@")
rc=$?
printf '%s\n' "$out"
if [ $rc -ne 0 ]; then
  echo "check_lab: '$*' exited with status $rc"
  exit 1
fi
fail=0
while read -r key value; do
  case $key in '' | '#'*) continue ;; esac
  got=$(printf '%s\n' "$out" | awk -v k="$key" '$1 == "measure:" && $2 == k { v = $3 } END { print v }')
  if [ "$got" = skip ]; then
    echo "check_lab: skipped $key (the lab cannot measure it here; see its reason above)"
  elif [ "$got" = "$value" ]; then
    echo "check_lab: ok $key = $got"
  else
    echo "check_lab: FAIL $key: expected $value, got ${got:-nothing}"
    fail=1
  fi
done <"$expected"
exit $fail
