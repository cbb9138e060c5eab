"""timeline: the heap's size over time. Top: live requested bytes, the
chunk bytes holding them, the brk heap's extent and the mmapped bytes
(`heapscope timeline`). Middle: free bytes by bin class (`heapscope frag`,
glibc traces only). Bottom: page faults (`heapscope faults`, when the trace
has them)."""

from . import style
from . import faults as faults_plot


def free_columns(rows):
    """The frag CSV's free-bytes-by-bin-class columns, in file order."""
    if not rows:
        return []
    return [k for k in rows[0] if k.startswith("free_") and k not in ("free_total",)]


def draw(trace, out, at=None, mark=None):
    _, tl = trace.timeline()
    _, frag = trace.frag(optional=True)
    fault_series = faults_plot.cumulative(trace)
    marks = trace.marks()
    panels = ["bytes"] + (["free"] if frag and free_columns(frag) else []) + \
             (["faults"] if fault_series else [])
    ratios = [3] + [2] * (len(panels) - 1)
    fig, axes = style.figure(len(panels), 1, height=2.6 + 2.2 * len(panels), sharex=True,
                             gridspec_kw={"height_ratios": ratios})
    if len(panels) == 1:
        axes = [axes]
    xs = [r["seq"] for r in tl]
    ax = axes[0]
    for col, label, colour in (("live_requested", "live requested bytes", style.BLUE),
                               ("live_chunk", "live chunk bytes (with headers, rounding)", style.ORANGE),
                               ("heap_extent", "brk heap extent", style.BLACK),
                               ("mmapped", "mmapped chunk bytes", style.VERMILLION)):
        ax.plot(xs, [r[col] for r in tl], label=label, color=colour,
                linewidth=1.4, drawstyle="steps-post")
    if any(r.get("allocator_mapped", 0) != r["mmapped"] for r in tl):
        # Another allocator's (or glibc's thread arenas') own mappings:
        # address space reserved, not necessarily resident.
        ax.plot(xs, [r["allocator_mapped"] for r in tl], label="mapped by the allocator (mmap)",
                color=style.PURPLE, linestyle="--", linewidth=1.2, drawstyle="steps-post")
    ax.yaxis.set_major_formatter(style.BYTES)
    ax.set_ylabel("bytes")
    ax.set_ylim(bottom=0)
    style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title("Memory over time")
    i = 1
    if "free" in panels:
        ax = axes[i]
        i += 1
        cols = free_columns(frag)
        fx = [r["seq"] for r in frag]
        kinds = [c[len("free_"):] for c in cols]
        others = iter([style.BLUE, style.VERMILLION, style.BLACK])
        ax.stackplot(fx, *[[r[c] or 0 for r in frag] for c in cols],
                     labels=[k.replace("_", " ") for k in kinds],
                     colors=[style.BIN_COLOURS.get(k) or next(others) for k in kinds],
                     step="post")
        ax.yaxis.set_major_formatter(style.BYTES)
        ax.set_ylabel("free bytes\nby bin class")
        style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    if "faults" in panels:
        ax = axes[i]
        fxs, fys = fault_series
        ax.plot(fxs, fys, color=style.GREEN, drawstyle="steps-post", label="page faults (cumulative)")
        ax.set_ylabel("page faults")
        ax.set_ylim(bottom=0)
        style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    for k, a in enumerate(axes):
        style.mark_lines(a, marks, label_top=(k == 0))
        if at is not None:
            a.axvline(at, color=style.VERMILLION, linewidth=1.2)
    axes[-1].set_xlabel("time (event sequence number)")
    if xs:
        axes[-1].set_xlim(xs[0], xs[-1] if xs[-1] > xs[0] else xs[0] + 1)
    style.save(fig, out)
