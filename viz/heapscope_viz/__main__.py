"""Command line of the plotting helper (started by `heapscope plot` and
`heapscope report`, which find a Python that has matplotlib):

    python3 -m heapscope_viz plot --heapscope EXE TRACE KIND OUT [--at SEQ | --mark LABEL]
    python3 -m heapscope_viz report --heapscope EXE --out DIR TRACE [TRACE2]

Errors: one line on stderr prefixed by "heapscope <plot|report>: ", exit 1.
"""

import argparse
import os
import sys

from . import VizError

KINDS = ("heapmap", "timeline", "frag", "sizes", "bins", "faults")


def draw(trace, kind, out, at=None, mark=None):
    from . import heapmap, timeline, frag, sizes, bins, faults
    mod = {"heapmap": heapmap, "timeline": timeline, "frag": frag,
           "sizes": sizes, "bins": bins, "faults": faults}[kind]
    if mark is not None and kind != "bins":
        # Time-based pictures draw the moment as a line at the mark's seq.
        at = next((seq for seq, label in trace.marks() if label == mark), None)
        mark = None
    mod.draw(trace, out, at=at, mark=mark)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="heapscope_viz")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plot")
    p.add_argument("--heapscope", required=True)
    p.add_argument("trace")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("out")
    p.add_argument("--at", type=int)
    p.add_argument("--mark")
    r = sub.add_parser("report")
    r.add_argument("--heapscope", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("traces", nargs="+")
    args = ap.parse_args(argv)
    from .data import Trace
    try:
        if args.cmd == "plot":
            draw(Trace(args.heapscope, args.trace), args.kind, args.out, args.at, args.mark)
        else:
            from . import report
            report.write(args.heapscope, args.traces, args.out)
    except VizError as e:
        msg = str(e)
        if not msg.startswith("heapscope"):
            msg = "heapscope %s: %s" % (args.cmd, msg)
        print(msg, file=sys.stderr)
        return 1
    except OSError as e:
        print("heapscope %s: cannot write '%s': %s" % (args.cmd, e.filename, e.strerror),
              file=sys.stderr)
        return 1
    except Exception as e:  # a bug here: still one line, no traceback
        print("heapscope %s: internal error in the plotting helper: %s: %s"
              % (args.cmd, type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
