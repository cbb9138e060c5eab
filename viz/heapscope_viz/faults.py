"""faults: page-fault addresses against time, one panel per memory region
(heap, mmap, thread-heap, stack, library, other), read from the `faults`
table that `heapscope record` writes (one row per kernel sample, its region
attributed in C at import; docs/schema.md); the panel titles give the
totals of `heapscope faults --json`. The timeline's cumulative fault count
comes from `heapscope timeline`."""

import sqlite3

from . import VizError
from . import style

REGION_COLOURS = {"heap": style.BLUE, "mmap": style.VERMILLION, "thread-heap": style.PURPLE,
                  "stack": style.GREEN, "library": style.ORANGE, "other": style.GREY}
MAX_POINTS = 50000


def cumulative(trace):
    """(seqs, counts) of page faults so far, or None if the trace has none."""
    _, tl = trace.timeline()
    if not tl or not tl[-1].get("page_faults"):
        return None
    return [r["seq"] for r in tl], [r["page_faults"] for r in tl]


def samples(path):
    """[(seq, addr, region, major)], every k-th row when there are more than
    MAX_POINTS (a scatter cannot show more), and the total row count."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    except sqlite3.Error as e:
        raise VizError("cannot open trace '%s': %s" % (path, e))
    try:
        try:
            (n,) = db.execute("SELECT count(*) FROM faults").fetchone()
        except sqlite3.Error:
            return [], 0
        stride = max(1, -(-n // MAX_POINTS))
        rows = db.execute("SELECT seq, addr, region, major FROM faults WHERE id % ?1 = 0 "
                          "ORDER BY id", (stride,)).fetchall() if stride > 1 else \
            db.execute("SELECT seq, addr, region, major FROM faults ORDER BY id").fetchall()
        return rows, n
    finally:
        db.close()


def draw(trace, out, at=None, mark=None):
    doc = trace.faults()
    rows, n = samples(trace.path)
    if not rows:
        note = doc.get("note") if isinstance(doc, dict) else ""
        raise VizError("no page-fault samples in '%s'%s" % (trace.path, ": " + note if note else ""))
    totals = {r["region"]: r["faults"] for r in doc.get("by_region", [])}
    regions = [g for g in REGION_COLOURS if any(r[2] == g for r in rows)]
    regions += sorted({r[2] for r in rows} - set(regions), key=str)
    marks = trace.marks()
    fig, axes = style.figure(len(regions), 1, height=2.2 + 1.9 * len(regions), sharex=True)
    if len(regions) == 1:
        axes = [axes]
    for ax, g in zip(axes, regions):
        sub = [r for r in rows if r[2] == g]
        minor = [r for r in sub if not r[3]]
        major = [r for r in sub if r[3]]
        ax.scatter([r[0] for r in minor], [r[1] for r in minor], s=5,
                   color=REGION_COLOURS.get(g, style.BLACK), label="minor")
        if major:
            ax.scatter([r[0] for r in major], [r[1] for r in major], s=18, marker="x",
                       color=style.BLACK, label="major (disk I/O)")
        ax.yaxis.set_major_formatter(style.HEX)
        ax.set_ylabel("%s\naddress" % g, fontsize=9)
        ax.set_title("%s: %s faults" % (g, totals.get(g, len(sub))), fontsize=9, loc="left")
        style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        style.mark_lines(ax, marks, label_top=(ax is axes[0]))
    title = "Page faults by region: %d samples (%s)" % (doc.get("total", n), doc.get("source", "perf"))
    if len(rows) < n:
        title += ", every %d-th drawn" % -(-n // MAX_POINTS)
    fig.suptitle(title)
    axes[-1].set_xlabel("time (event sequence number the fault follows)")
    style.save(fig, out)
