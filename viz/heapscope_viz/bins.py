"""bins: a picture of every non-empty glibc bin at one moment, from
`heapscope bins --json`: one row per bin, its chunks as boxes in list order
(the head on the left), labelled with their sizes; tcache rows show their
counts. Sections: tcache, fastbins, unsorted, small bins, large bins."""

from matplotlib.patches import Rectangle

from . import VizError
from . import style

SECTION_COLOURS = {"tcache": style.ORANGE, "fast": style.PURPLE, "unsorted": style.YELLOW,
                   "small": style.SKY, "large": style.GREEN}
MAX_BOXES = 12


def section_of(name):
    n = name.lower()
    for key in ("tcache", "fast", "unsorted", "small", "large"):
        if key in n:
            return key
    return None


def rows_of(doc):
    """[(section, label, count, [chunk sizes/addrs])] in the JSON's order."""
    out = []
    items = doc.get("bins", doc) if isinstance(doc, dict) else doc
    if isinstance(items, dict):
        items = [dict(b, kind=k) for k, v in items.items() if isinstance(v, list) for b in v]
    for b in items or []:
        if not isinstance(b, dict):
            continue
        kind = b.get("kind") or b.get("type") or b.get("bin") or ""
        sec = section_of(str(kind))
        if sec is None:
            continue
        chunks = b.get("chunks") or []
        count = b.get("count", len(chunks))
        idx = b.get("index", b.get("idx", ""))
        size = b.get("size") or b.get("chunk_size") or (chunks[0].get("size") if chunks and isinstance(chunks[0], dict) else None)
        label = "%s %s" % (sec, ("0x%x" % size) if isinstance(size, int) else idx)
        out.append((sec, label, count, chunks))
    return out


def draw(trace, out, at=None, mark=None):
    if at is None and mark is None:
        marks = trace.marks()
        if marks:
            mark = marks[-1][1]
    doc = trace.bins(at, mark)
    rows = [r for r in rows_of(doc) if r[2]]
    moment = "mark '%s'" % mark if mark else ("event %d" % at if at is not None else "the end")
    fig, ax = style.figure(height=max(3.0, 0.42 * len(rows) + 1.6))
    if not rows:
        style.no_data(ax, "every bin is empty at %s" % moment)
    for y, (sec, label, count, chunks) in enumerate(rows):
        ax.text(-0.2, y, "%s  (%d)" % (label, count), ha="right", va="center", fontsize=8)
        for i, c in enumerate(chunks[:MAX_BOXES]):
            size = c.get("size") if isinstance(c, dict) else None
            addr = c.get("addr") if isinstance(c, dict) else c
            ax.add_patch(Rectangle((i, y - 0.35), 0.9, 0.7, facecolor=SECTION_COLOURS[sec],
                                   edgecolor=style.BLACK, linewidth=0.5))
            text = ("0x%x" % addr) if isinstance(addr, int) else ""
            if isinstance(size, int):
                text += "\n0x%x" % size
            ax.text(i + 0.45, y, text, ha="center", va="center", fontsize=6)
            if i:
                ax.annotate("", (i, y), (i - 0.1, y), arrowprops=dict(arrowstyle="<-", lw=0.6))
        if len(chunks) > MAX_BOXES:
            ax.text(MAX_BOXES + 0.1, y, "... +%d" % (len(chunks) - MAX_BOXES), va="center", fontsize=8)
    ax.set_xlim(-0.3, MAX_BOXES + 1.2)
    ax.set_ylim(len(rows) - 0.5 if rows else 1, -0.7)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_title("glibc bins at %s: chunks in list order (address, chunk size), head first" % moment)
    style.save(fig, out)
