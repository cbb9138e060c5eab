#!/bin/sh
# lab-docs.sh [--check] [SRCDIR] - refresh the code shown in docs/labs/*.md
# from the lab sources, so that the pages never drift from the built code.
#
# In a page, a block
#     <!-- code: labs/02-first-malloc/main.c pool -->
#     ...anything...
#     <!-- /code -->
# is rewritten to hold the region of that file between the lines
# "/* [doc:pool] */" and "/* [/doc] */", de-indented, in a ```c fence.
# --check rewrites nothing: it exits 1 and shows a diff if a page is stale
# (the labs.docs test runs it); without it the pages are updated in place.
set -eu
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
status=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

for page in "$src"/docs/labs/*.md; do
  awk -v src="$src" -v page="$page" '
    function region(file, name,    line, n, i, inside, min, ind, found) {
      n = 0; inside = 0; found = 0
      while ((getline line < file) > 0) {
        if (line ~ "/\\* \\[doc:" name "\\] \\*/") { inside = 1; found = 1; continue }
        if (inside && line ~ /\/\* \[\/doc\] \*\//) { inside = 0; continue }
        if (inside) body[++n] = line
      }
      close(file)
      if (!found) { printf "%s: no region [doc:%s] in %s\n", page, name, file > "/dev/stderr"; exit 2 }
      min = 1000
      for (i = 1; i <= n; i++) if (body[i] ~ /[^ ]/) {
        match(body[i], /^ */); if (RLENGTH < min) min = RLENGTH
      }
      print "```c"
      for (i = 1; i <= n; i++) print substr(body[i], min + 1)
      print "```"
    }
    /^<!-- code: / {
      print
      region(src "/" $3, $4)
      skipping = 1
      next
    }
    /^<!-- \/code -->/ { skipping = 0 }
    !skipping { print }
  ' "$page" > "$tmp" || exit 2
  if ! cmp -s "$page" "$tmp"; then
    if [ $check = 1 ]; then
      echo "lab-docs: $page is out of date (run scripts/lab-docs.sh):" >&2
      diff -u "$page" "$tmp" >&2 || true
      status=1
    else
      cp "$tmp" "$page"
      echo "lab-docs: updated $page"
    fi
  fi
done
exit $status
