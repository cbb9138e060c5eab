#!/usr/bin/env bash
# help_matches_docs.sh HEAPSCOPE DOCS_CLI_DIR CMD... - the first code block
# after "## Synopsis" in docs/cli/<cmd>.md must equal `heapscope <cmd> --help`.
set -eu
hs=$1 docs=$2
shift 2
status=0
for cmd in "$@"; do
  doc=$(awk '/^## Synopsis/ {s=1; next} s && /^```/ {if (b) exit; b=1; next} b {print}' "$docs/$cmd.md")
  help=$("$hs" "$cmd" --help)
  if [ "$doc" != "$help" ]; then
    echo "docs/cli/$cmd.md synopsis differs from 'heapscope $cmd --help':"
    diff <(echo "$doc") <(echo "$help") || true
    status=1
  fi
done
exit $status
