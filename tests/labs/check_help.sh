#!/bin/sh
# check_help.sh HEAPSCOPE DOC - `heapscope lab --help` must equal the first
# fenced block under "## Synopsis" in docs/cli/lab.md.
set -eu
doc=$(awk '/^## Synopsis/ { s = 1; next } s && /^```/ { if (in_block) exit; in_block = 1; next } in_block { print }' "$2")
help=$("$1" lab --help)
if [ "$doc" != "$help" ]; then
  echo "check_help: $2 does not match 'heapscope lab --help':"
  printf '%s\n' "$help" > help.txt
  printf '%s\n' "$doc" > doc.txt
  diff -u doc.txt help.txt
  exit 1
fi
echo "check_help: ok"
