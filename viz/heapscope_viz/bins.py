"""bins: a picture of every non-empty glibc bin at one moment, from
`heapscope bins --json`: one row per bin, its chunks as boxes in list order
(the head on the left, arrows follow the list), labelled with address and
chunk size; tcache rows show their counts; the top chunk comes last."""

from matplotlib.patches import Patch, Rectangle

from . import style

KIND_COLOURS = style.BIN_COLOURS
MAX_BOXES = 10


def rows_of(doc):
    """[(kind, label, count, [(addr, size)])] in the JSON's order."""
    out = []
    for b in doc.get("bins", []):
        kind = b.get("kind", "")
        chunks = [(c.get("addr"), c.get("size")) for c in b.get("chunks", [])]
        lo, hi = b.get("size_lo"), b.get("size_hi")
        if not hi:
            size = "any size" if kind == "unsorted" else ">= 0x%x" % (lo or 0)
        else:
            size = ("0x%x" % lo) if lo == hi else ("0x%x-0x%x" % (lo, hi))
        label = "%s[%s] %s" % (kind, b.get("index", ""), size)
        if kind == "tcache" and b.get("tid"):
            label += " tid %s" % b["tid"]
        out.append((kind, label, b.get("count", len(chunks)), chunks))
    top = doc.get("top")
    if top and top.get("size"):
        out.append(("top", "top chunk", 1, [(top.get("addr"), top.get("size"))]))
    return out


def draw(trace, out, at=None, mark=None):
    moment = "mark '%s'" % mark if mark else ("event %d" % at if at is not None else "the end")
    if at is None and mark is None:
        marks = trace.marks()
        if marks:
            # The last mark by its seq: labels may repeat, and --mark
            # names the first mark with that label.
            at, label = marks[-1]
            moment = "the last mark '%s' (event %d)" % (label, at)
    doc = trace.bins(at, mark)
    rows = rows_of(doc)
    fig, ax = style.figure(height=max(2.6, 0.55 * len(rows) + 1.4), width=15)
    if not rows:
        style.no_data(ax, "every bin is empty at %s" % moment)
    for y, (kind, label, count, chunks) in enumerate(rows):
        ax.text(-0.15, y, "%s  (%d)" % (label, count), ha="right", va="center", fontsize=8)
        for i, (addr, size) in enumerate(chunks[:MAX_BOXES]):
            ax.add_patch(Rectangle((i, y - 0.36), 0.86, 0.72, facecolor=KIND_COLOURS.get(kind, style.GREY),
                                   edgecolor=style.BLACK, linewidth=0.5))
            text = "0x%x\n0x%x" % (addr, size) if isinstance(addr, int) else ""
            ax.text(i + 0.43, y, text, ha="center", va="center", fontsize=6.5)
            if i:
                ax.annotate("", (i, y), (i - 0.14, y), arrowprops=dict(arrowstyle="->", lw=0.7))
        if len(chunks) > MAX_BOXES:
            ax.text(MAX_BOXES + 0.05, y, "+%d more" % (len(chunks) - MAX_BOXES), va="center", fontsize=8)
    ax.set_xlim(-0.2, MAX_BOXES + 0.9)
    ax.set_ylim(len(rows) - 0.4 if rows else 1, -0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    kinds = [k for k in KIND_COLOURS if any(r[0] == k for r in rows)]
    if kinds:
        ax.legend(handles=[Patch(color=KIND_COLOURS[k], label=k) for k in kinds],
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title("glibc bins at %s: chunks in list order, head first (address / chunk size)" % moment)
    style.save(fig, out)
