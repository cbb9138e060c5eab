"""faults: page-fault addresses against time, one panel per memory region
(heap, mmapped, stack, other), from `heapscope faults --json`; and the
cumulative fault count the timeline draws (from `heapscope timeline`)."""

from . import VizError
from . import style

REGION_COLOURS = [style.BLUE, style.VERMILLION, style.GREEN, style.PURPLE, style.ORANGE,
                  style.SKY, style.BLACK]


def cumulative(trace):
    """(seqs, counts) of page faults so far, or None if the trace has none."""
    _, tl = trace.timeline()
    if not tl or not tl[-1].get("page_faults"):
        return None
    return [r["seq"] for r in tl], [r["page_faults"] for r in tl]


def samples(doc):
    """The fault list of `faults --json`: [{seq|ts_ns, addr, region}]."""
    for key in ("faults", "samples", "events"):
        if isinstance(doc.get(key), list):
            return doc[key]
    return []


def draw(trace, out, at=None, mark=None):
    doc = trace.faults()
    rows = samples(doc or {})
    if not rows:
        raise VizError("no page faults in '%s' (recorded without fault sampling?)" % trace.path)
    xkey = "seq" if "seq" in rows[0] else "ts_ns"
    regions = []
    for r in rows:
        g = r.get("region") or "other"
        if g not in regions:
            regions.append(g)
    fig, axes = style.figure(len(regions), 1, height=2.5 + 2.0 * len(regions), sharex=True)
    if len(regions) == 1:
        axes = [axes]
    for i, (ax, g) in enumerate(zip(axes, regions)):
        sub = [r for r in rows if (r.get("region") or "other") == g]
        major = [r for r in sub if r.get("major")]
        minor = [r for r in sub if not r.get("major")]
        ax.scatter([r[xkey] for r in minor], [r["addr"] for r in minor], s=4,
                   color=REGION_COLOURS[i % len(REGION_COLOURS)], label="%s: %d minor" % (g, len(minor)))
        if major:
            ax.scatter([r[xkey] for r in major], [r["addr"] for r in major], s=14, marker="x",
                       color=style.BLACK, label="%d major" % len(major))
        ax.yaxis.set_major_formatter(style.HEX)
        ax.set_ylabel("%s\naddress" % g, fontsize=9)
        ax.legend(loc="upper left", fontsize=8)
    axes[0].set_title("Page faults: %d, by region" % len(rows))
    axes[-1].set_xlabel("time (event sequence number)" if xkey == "seq" else "time (ns)")
    style.save(fig, out)
