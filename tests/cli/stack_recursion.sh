#!/bin/sh
# stack_recursion.sh HEAPSCOPE - the text of `sites` and `leaks` shows a
# recursion's frames once, with how many in a row ("(x7)"), and their JSON
# every frame.
set -u
hs=$1
. "$(dirname "$0")/../common/check.sh"
cat >"$dir/rec.c" <<'C'
#include <stdlib.h>
void *volatile keep;
__attribute__((noinline)) void *rec(int depth)
{
    void *p = depth ? rec(depth - 1) : malloc(100);
    __asm__ volatile("" ::: "memory"); /* no tail call */
    return p;
}
int main(void)
{
    keep = rec(20);
    return 0;
}
C
${CC:-cc} -g -O1 -o "$dir/rec" "$dir/rec.c" || { echo "FAIL: cannot compile"; exit 1; }
"$hs" record --no-faults --stack 8 -o "$dir/t.db" -- "$dir/rec" 2>"$dir/err" || { cat "$dir/err"; echo "FAIL: record"; exit 1; }
"$hs" sites "$dir/t.db" >"$dir/sites.txt"
grep -q "  100  rec (.*rec.c:5)$" "$dir/sites.txt" && grep -q "^ *<- rec (.*rec.c:5) (x7)$" "$dir/sites.txt"
check "sites: rec, then rec (x7)" $?
"$hs" leaks "$dir/t.db" >"$dir/leaks.txt"
grep -q "<- .*rec.c:5) (x7)$" "$dir/leaks.txt" || grep -q "<- rec+0x[0-9a-f]* (rec) (x7)$" "$dir/leaks.txt" || grep -q "(x7)$" "$dir/leaks.txt"
check "leaks: the repeated caller once, (x7)" $?
n=$("$hs" sites "$dir/t.db" --json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(max(len(s.get("callers", [])) for s in d["by_bytes"]))')
[ "$n" = 7 ]
check "sites --json: all 7 callers ($n)" $?
exit $fail
