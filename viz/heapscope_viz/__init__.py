"""heapscope_viz - draws heapscope traces with matplotlib.

Python only draws (DESIGN.md decision 9): every number on a picture comes
from the C analyzer, by running `heapscope <command> --csv/--json` (data.py).
Entry point: `python3 -m heapscope_viz` (see __main__.py), normally started
by `heapscope plot` and `heapscope report`.
"""


class VizError(Exception):
    """One-line, user-facing failure (printed as "heapscope plot: <msg>")."""
