#!/bin/sh
# rebuilt_program.sh HEAPSCOPE - the trace records each code file's build-id
# (table modules), and a program rebuilt after its recording is not named
# from the new build: its sites show file+offset, marked, instead of the
# new build's (wrong) function and line.
set -u
hs=$1
cc=${CC:-cc}
. "$(dirname "$0")/../common/check.sh"
cat >"$dir/prog.c" <<'C'
#include <stdlib.h>
void *volatile keep;
int main(void)
{
    keep = malloc(1234);
    return 0;
}
C
"$cc" -g -O0 -o "$dir/prog" "$dir/prog.c" || { echo "FAIL: cannot compile"; exit 1; }
"$hs" record --no-faults -o "$dir/t.db" -- "$dir/prog" 2>"$dir/err" || { cat "$dir/err"; echo "FAIL: record"; exit 1; }
id=$(sqlite3 "$dir/t.db" "SELECT build_id FROM modules WHERE path = '$dir/prog'")
[ ${#id} = 40 ]
check "modules holds the program's build-id ($id)" $?
libc=$(sqlite3 "$dir/t.db" "SELECT count(*) FROM modules WHERE path LIKE '%/libc.so.6' AND length(build_id) = 40")
[ "$libc" = 1 ]
check "and libc's" $?
"$hs" sites "$dir/t.db" | grep -q " 1234  main (.*prog.c:5)"
check "before the rebuild: main (prog.c:5)" $?
# The same program with a function above main: another build-id, and
# main's old address now lies elsewhere.
sed 's/^int main/static int unused(int x) { return 3 * x + 1; }\nint main/' "$dir/prog.c" >"$dir/prog2.c"
"$cc" -g -O0 -o "$dir/prog" "$dir/prog2.c" || { echo "FAIL: cannot compile"; exit 1; }
"$hs" sites "$dir/t.db" >"$dir/sites.txt"
grep -q " 1234  prog+0x[0-9a-f]* (rebuilt since the recording)$" "$dir/sites.txt"
check "after the rebuild: prog+offset, marked" $?
"$hs" explain "$dir/t.db" "$(sqlite3 "$dir/t.db" "SELECT alloc_seq FROM blocks WHERE size = 1234")" |
  grep -q "^called from prog+0x[0-9a-f]* (rebuilt since the recording)$"
check "explain's caller line too" $?
exit $fail
