#!/usr/bin/env bash
# help_matches_docs.sh HEAPSCOPE DOCS_CLI CMD... - for each command, the
# lines of `heapscope CMD --help` up to the first blank line (its synopsis)
# must appear, indented by four spaces, in DOCS_CLI/CMD.md (STYLE 25).
set -u
hs=$1 docs=$2
shift 2
status=0
for cmd in "$@"; do
    doc=$docs/$cmd.md
    [ -f "$doc" ] || { echo "FAIL: no $doc"; status=1; continue; }
    synopsis=$("$hs" "$cmd" --help | sed '/^$/q' | sed '/^$/d; s/^/    /')
    [ -n "$synopsis" ] || { echo "FAIL: '$cmd --help' printed nothing"; status=1; continue; }
    if ! python3 -c 'import sys; sys.exit(0 if sys.argv[1] in open(sys.argv[2]).read() else 1)' \
            "$synopsis" "$doc"; then
        echo "FAIL: the synopsis in $doc does not match '$cmd --help':"
        echo "$synopsis"
        status=1
    fi
done
exit $status
