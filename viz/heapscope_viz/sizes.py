"""sizes: what the program asks for. Left: requested sizes in power-of-two
buckets; right: the chunk sizes they became, by glibc size class, as
counts and as bytes (`heapscope sizes`)."""

from . import style


def draw(trace, out, at=None, mark=None):
    _, rows = trace.sizes()
    req = [r for r in rows if r["table"] == "request"]
    cls = [r for r in rows if r["table"] == "chunk"]
    fig, (a1, a2) = style.figure(1, 2, height=5.5,
                                 gridspec_kw={"width_ratios": [3, 2], "wspace": 0.35})
    if req:
        labels = [r["label"] for r in req]
        a1.bar(range(len(req)), [r["count"] for r in req], color=style.BLUE)
        a1.set_xticks(range(len(req)))
        a1.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
        a1.set_ylabel("allocations")
        a1.set_xlabel("requested size (bytes)")
    else:
        style.no_data(a1, "no allocations in this trace")
    a1.set_title("Request sizes (%d allocations)" % sum(r["count"] for r in req))
    if cls:
        names = [r["label"] for r in cls]
        counts = [r["count"] for r in cls]
        total_bytes = [r["bytes"] for r in cls]
        colours = [style.CLASS_COLOURS.get(n, style.GREY) for n in names]
        a2.barh(range(len(cls)), counts, color=colours)
        a2.set_yticks(range(len(cls)))
        a2.set_yticklabels([style.CLASS_LABELS.get(n, n).replace(" (", "\n(") for n in names],
                           fontsize=8)
        a2.invert_yaxis()
        a2.set_xlabel("allocations")
        for y, (c, b) in enumerate(zip(counts, total_bytes)):
            a2.annotate(" %d, %s" % (c, style.human_bytes(b)), (c, y), va="center", fontsize=8)
        a2.set_xlim(0, max(counts + [1]) * 1.45)
    else:
        style.no_data(a2, "no chunks")
    a2.set_title("Chunk size classes (count, chunk bytes)")
    style.save(fig, out)
