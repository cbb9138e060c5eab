#!/usr/bin/env bash
# checkpoints.sh HEAPSCOPE FIXTURE CHECKER - records a trace big enough for
# checkpoints and runs the checker on it.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" record -o "$dir/cp.db" -- "$2" 9 500000 >/dev/null 2>&1
"$3" "$dir/cp.db"
