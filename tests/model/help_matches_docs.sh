#!/usr/bin/env bash
# help_matches_docs.sh HEAPSCOPE DOCDIR - each model command's -h output is
# the synopsis of its docs/cli/<cmd>.md (the line after "```" under
# "## Synopsis").
set -eu
hs=$1 docs=$2 bad=0
for cmd in check heap bins frag explain; do
  want=$(awk '/^## Synopsis/{s=1} s&&/^```/{n++; next} s&&n==1{print; exit}' "$docs/$cmd.md")
  got=$("$hs" "$cmd" -h)
  if [ "$want" != "$got" ]; then
    echo "docs/cli/$cmd.md says '$want' but '$cmd -h' says '$got'"
    bad=1
  fi
done
exit $bad
