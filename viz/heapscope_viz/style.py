"""Shared look: the Okabe-Ito colour-blind-safe palette, byte and address
formatters, and figure defaults."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every
# common colour-vision deficiency.
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#999999"
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK]
# One colour per kind of free chunk, in every picture (bins, timeline, frag).
BIN_COLOURS = {"tcache": ORANGE, "fastbin": PURPLE, "unsorted": YELLOW,
               "smallbin": SKY, "largebin": GREEN, "top": GREY}

# Size classes of glibc chunks as `heapscope lifetimes` names them.
# Size classes of chunks as `heapscope lifetimes` names them
# (docs/cli/lifetimes.md): fastbin-sized (<= 0x80), other smallbin-sized
# (< 0x400), largebin-sized, mmapped.
CLASS_COLOURS = {
    "fast": ORANGE,
    "small": SKY,
    "large": GREEN,
    "mmapped": VERMILLION,
    "unknown": GREY,
}
CLASS_LABELS = {
    "fast": "fastbin size (chunk <= 0x80)",
    "small": "smallbin size (chunk < 0x400)",
    "large": "largebin size (chunk >= 0x400)",
    "mmapped": "mmapped chunk",
    "unknown": "usable size (not glibc)",
}

plt.rcParams.update({
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "svg.fonttype": "none",
})


def human_bytes(n, _pos=None):
    """1536 -> '1.5 KiB' (tick labels and legends)."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            if unit == "B":
                return "%d B" % n
            return ("%.1f %s" % (n, unit)).replace(".0 ", " ")
        n /= 1024.0
    return "%d" % n


def hex_addr(n, _pos=None):
    return "0x%x" % int(n) if n >= 0 else ""


BYTES = FuncFormatter(human_bytes)
SEQ = FuncFormatter(lambda n, _pos=None: "{:,}".format(int(n)) if n >= 0 else "")
HEX = FuncFormatter(hex_addr)


def figure(rows=1, cols=1, height=6.0, width=12.0, **kw):
    return plt.subplots(rows, cols, figsize=(width, height), **kw)


def _byte_ticks(axis, lo, hi):
    """Ticks at round binary multiples (256 KiB, 1 MiB...), not 195.3 KiB."""
    span = max(hi - lo, 1)
    unit = 1
    while span / unit >= 1024 * 2 and unit < 1024 ** 4:
        unit *= 1024
    for step in (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 200, 256, 500, 512, 1024, 2048):
        if span / (step * unit) <= 8:
            axis.set_major_locator(MultipleLocator(step * unit))
            return


def save(fig, out):
    """Writes PNG or SVG by out's extension."""
    for ax in fig.axes:
        if ax.yaxis.get_major_formatter() is BYTES:
            _byte_ticks(ax.yaxis, *ax.get_ylim())
        if ax.yaxis.get_major_formatter() is HEX:
            lo, hi = ax.get_ylim()
            step = 16
            while (hi - lo) / step > 7:
                step *= 2  # powers of two: 0x1000-aligned ticks, like pages
            ax.yaxis.set_major_locator(MultipleLocator(step))
        if "sequence number" in ax.get_xlabel():
            ax.xaxis.set_major_formatter(SEQ)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)


def mark_lines(ax, marks, label_top=True):
    """Vertical dotted lines at marks [(seq, label)], labelled at the top."""
    for seq, label in marks:
        ax.axvline(seq, color=GREY, linestyle=":", linewidth=1)
        if label_top:
            ax.annotate(label, (seq, 1.0), xycoords=("data", "axes fraction"),
                        rotation=90, va="top", ha="right", fontsize=7, color="#555555")


def legend(ax, **kw):
    """ax.legend(**kw) if anything is labelled (no matplotlib warning)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kw)


def no_data(ax, text):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize=11, color="#555555", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
