"""frag: fragmentation metrics over time, from `heapscope frag --csv`
(the glibc model's figures at each mark and every N events). Top: the
ratios (external fragmentation = 1 - largest free / total free;
utilization = live requested / heap extent). Bottom: the byte figures
they come from."""

from . import style

RATIO_COLUMNS = (("external_frag", "external fragmentation", style.VERMILLION),
                 ("utilization", "utilization", style.BLUE))
BYTE_COLUMNS = (("heap_extent", "brk heap extent", style.BLACK),
                ("mmapped_bytes", "mmapped bytes", style.VERMILLION),
                ("live_requested", "live requested", style.BLUE),
                ("chunk_overhead", "chunk overhead (internal fragmentation)", style.PURPLE),
                ("free_top", "free in top", style.BIN_COLOURS["top"]),
                ("largest_free", "largest free chunk", style.GREEN))


def draw(trace, out, at=None, mark=None):
    _, rows = trace.frag()
    marks = trace.marks()
    fig, (a1, a2) = style.figure(2, 1, height=7.5, sharex=True)
    xs = [r["seq"] for r in rows]
    for col, label, colour in RATIO_COLUMNS:
        if rows and col in rows[0]:
            a1.plot(xs, [r[col] for r in rows], label=label, color=colour,
                    drawstyle="steps-post", linewidth=1.4)
    a1.set_ylim(-0.02, 1.02)
    a1.set_ylabel("ratio (0-1)")
    style.legend(a1, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    a1.set_title("Fragmentation over time")
    for col, label, colour in BYTE_COLUMNS:
        if rows and col in rows[0]:
            a2.plot(xs, [r[col] for r in rows], label=label, color=colour,
                    drawstyle="steps-post", linewidth=1.2)
    a2.yaxis.set_major_formatter(style.BYTES)
    a2.set_ylabel("bytes")
    a2.set_ylim(bottom=0)
    style.legend(a2, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    a2.set_xlabel("time (event sequence number)")
    for k, a in enumerate((a1, a2)):
        style.mark_lines(a, marks, label_top=(k == 0))
        if at is not None:
            a.axvline(at, color=style.VERMILLION, linewidth=1.2)
    style.save(fig, out)
