# gdb_bins.py - run inside `gdb -batch`: stop at every heapscope_mark() and
# dump glibc's real bins (main_arena and this thread's tcache) as one JSON
# line per mark to the file named by $HS_GDB_OUT. Needs libc6-dbg.
import json
import os

import gdb

out = open(os.environ["HS_GDB_OUT"], "w")


def reveal(pos, v):
    # safe-linking (glibc >= 2.32): stored = (address of the field >> 12) ^ next
    return (pos >> 12) ^ v


def dump(label):
    ar = gdb.parse_and_eval("main_arena")
    res = {"label": label, "tcache": {}, "fastbin": {}, "bins": {}}
    tc = gdb.parse_and_eval("tcache")
    if int(tc) != 0:
        for i in range(64):
            e = int(tc["entries"][i])
            lst = []
            while e and len(lst) < 10000:
                lst.append(e - 16)
                e = reveal(e, int(gdb.parse_and_eval("*(unsigned long *)%d" % e)))
            if lst:
                res["tcache"][str(i)] = lst
    for i in range(10):
        p = int(ar["fastbinsY"][i])
        lst = []
        while p and len(lst) < 100000:
            lst.append(p)
            p = reveal(p + 16, int(gdb.parse_and_eval("*(unsigned long *)%d" % (p + 16))))
        if lst:
            res["fastbin"][str(i)] = lst
    bins_addr = int(ar["bins"].address)
    for i in range(1, 127):
        head = bins_addr + (i - 1) * 16 - 16  # bin_at(i): the fd field sits at bins[2*(i-1)]
        p = int(ar["bins"][2 * (i - 1)])
        lst = []
        while p != head and len(lst) < 100000:
            lst.append(p)
            p = int(gdb.parse_and_eval("*(unsigned long *)%d" % (p + 16)))
        if lst:
            res["bins"][str(i)] = lst
    out.write(json.dumps(res) + "\n")
    out.flush()


class MarkBreak(gdb.Breakpoint):
    def stop(self):
        label = gdb.parse_and_eval("(const char *)$rdi").string()
        dump(label)
        return False


gdb.execute("set startup-with-shell off")
gdb.execute("set breakpoint pending on")
MarkBreak("heapscope_mark")
gdb.execute("run")
out.close()
