#!/bin/sh
# help_matches_doc.sh HEAPSCOPE DOC - `heapscope faults --help` must equal the
# first code block of docs/cli/faults.md.
set -eu
help=$("$1" faults --help)
doc=$(awk '/^```/ { n++; next } n == 1 { print } n >= 2 { exit }' "$2")
[ "$help" = "$doc" ] || { printf 'help:\n%s\ndoc:\n%s\n' "$help" "$doc" >&2; exit 1; }
