"""heapmap: address against time. Every block's lifetime is a rectangle
(x: from its allocation to its free, y: its chunk's addresses) coloured by
size class; blocks still live at the end have a black outline. The program
break is drawn as a step line (growth and trims). Blocks outside the brk
heap (mmapped chunks, other arenas) get their own panel above it: a broken
address axis, since they lie terabytes away from the heap."""

from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch
from matplotlib.lines import Line2D

from . import style

REGION_TITLES = {"heap": "brk heap (main arena)",
                 "mmap": "mmapped chunks",
                 "arena": "other arenas (thread heaps)",
                 "other": "the allocator's mappings\n(not glibc)"}


def _rects(rows):
    polys, colours = [], []
    for r in rows:
        x0, x1 = r["alloc_seq"], r["free_seq"]
        y0 = r["addr"]
        y1 = y0 + max(r["chunk_size"] or 0, r["size"] or 0, 1)
        polys.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        colours.append(style.CLASS_COLOURS.get(r["class"], style.GREY))
    return polys, colours


def draw(trace, out, at=None, mark=None):
    comments, rows = trace.lifetimes()
    _, tl = trace.timeline()
    marks = trace.marks()
    info = dict(kv.split("=", 1) for c in comments for kv in c.split() if "=" in kv)
    regions = [g for g in ("other", "mmap", "arena", "heap") if any(r["region"] == g for r in rows)]
    if not regions:
        regions = ["heap"]
    ratios = [1 if g != "heap" else 3 for g in regions]
    fig, axes = style.figure(len(regions), 1, height=3 + 2.2 * len(regions), sharex=True,
                             gridspec_kw={"height_ratios": ratios, "hspace": 0.08})
    if len(regions) == 1:
        axes = [axes]
    first = int(info.get("first_seq", 0) or 0)
    last = int(info.get("last_seq", 1) or 1)
    for ax, g in zip(axes, regions):
        sub = [r for r in rows if r["region"] == g]
        polys, colours = _rects(sub)
        # Thousands of thin rectangles: no edges, no antialiasing (which
        # would blend neighbours into grey).
        coll = PolyCollection(polys, facecolors=colours, edgecolors="none", antialiaseds=False)
        ax.add_collection(coll)
        live = [r for r in sub if r["live"]]
        if live:
            ax.scatter([last] * len(live), [r["addr"] for r in live], marker=4, s=18,
                       color=style.BLACK, clip_on=False, zorder=3)
        lo = min((r["addr"] for r in sub), default=0)
        hi = max((r["addr"] + max(r["chunk_size"] or 0, 1) for r in sub), default=1)
        if g == "heap":
            brk = [(r["seq"], r["brk"]) for r in tl if r.get("brk")]
            starts = [r["heap_start"] for r in tl if r.get("heap_start")]
            if brk:
                xs = [first] + [b[0] for b in brk] + [last]
                ys = [brk[0][1]] + [b[1] for b in brk] + [brk[-1][1]]
                ax.step(xs, ys, where="post", color=style.BLACK, linewidth=1.2)
                hi = max(hi, max(ys))
            if starts:
                ax.axhline(starts[0], color=style.GREY, linestyle="--", linewidth=1)
                lo = min(lo, starts[0]) if sub else starts[0]
        pad = max((hi - lo) * 0.03, 16)
        ax.set_ylim(lo - pad, hi + pad)
        ax.yaxis.set_major_formatter(style.HEX)
        ax.set_ylabel(REGION_TITLES[g] + "\naddress", fontsize=9)
        style.mark_lines(ax, marks, label_top=(ax is axes[0]))
        if at is not None:
            ax.axvline(at, color=style.VERMILLION, linewidth=1.2)
    # The "broken axis" cut marks between panels.
    for upper, lower in zip(axes, axes[1:]):
        upper.spines["bottom"].set_visible(False)
        lower.spines["top"].set_visible(False)
        for ax, y in ((upper, 0), (lower, 1)):
            kw = dict(transform=ax.transAxes, color="k", clip_on=False, linewidth=1)
            ax.plot((-0.008, 0.008), (y - 0.02, y + 0.02), **kw)
            ax.plot((0.992, 1.008), (y - 0.02, y + 0.02), **kw)
    axes[-1].set_xlim(first, last if last > first else first + 1)
    axes[-1].set_xlabel("time (event sequence number)")
    present = {r["class"] for r in rows}
    handles = [Patch(color=c, label=style.CLASS_LABELS[k])
               for k, c in style.CLASS_COLOURS.items() if k in present]
    handles += [Line2D([], [], color=style.BLACK, marker=4, linestyle="none",
                       label="never freed (live at the end)"),
                Line2D([], [], color=style.BLACK, label="program break (brk)"),
                Line2D([], [], color=style.GREY, linestyle="--", label="heap start")][:3 if "heap" in regions else 1]
    axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    shown, total = info.get("shown", "?"), info.get("total", "?")
    title = "Heap map: {:,} blocks".format(int(total)) if str(total).isdigit() else "Heap map"
    if shown != total:
        title += " (the {:,} largest by size x lifetime drawn)".format(int(shown))
    axes[0].set_title(title)
    style.save(fig, out)
