# check.sh - sourced by the shell tests: a scratch directory $dir (removed
# at exit), and `check WHAT STATUS`, which prints "ok: WHAT" or "FAIL: WHAT"
# (then $dir/err, where the test keeps a command's stderr) and remembers a
# failure in $fail for the test's `exit $fail`.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() { # what, status
  if [ "$2" = 0 ]; then
    echo "ok: $1"
  else
    echo "FAIL: $1"
    if [ -s "$dir/err" ]; then cat "$dir/err"; fi
    fail=1
  fi
}
