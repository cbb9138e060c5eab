"""check_png.py FILE... - each file is a readable PNG (or SVG) picture that
is not blank: at least 200x150 pixels, more than 1 KiB, and more than two
distinct colours (a plot with axes, text and data has hundreds). Prints one
line per file; exits 1 on the first failure. Run with the Python that has
matplotlib (/usr/bin/python3)."""

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402


def check(path):
    size = os.path.getsize(path)
    if path.endswith(".svg"):
        text = open(path, encoding="utf-8").read()
        if size < 1024 or "<svg" not in text or text.count("<path") < 10:
            return "not a drawn SVG (%d bytes)" % size
        return None
    img = mpimg.imread(path)
    h, w = img.shape[0], img.shape[1]
    if size < 1024 or w < 200 or h < 150:
        return "too small: %dx%d, %d bytes" % (w, h, size)
    flat = img.reshape(-1, img.shape[2]) if img.ndim == 3 else img.reshape(-1, 1)
    colours = {tuple(p) for p in flat[:: max(1, len(flat) // 200000)].tolist()}
    if len(colours) <= 2:
        return "blank: %d colour(s)" % len(colours)
    print("%s: %dx%d, %d bytes, %d colours" % (path, w, h, size, len(colours)))
    return None


for f in sys.argv[1:]:
    why = check(f)
    if why:
        print("%s: %s" % (f, why))
        sys.exit(1)
