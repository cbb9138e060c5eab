"""Getting numbers from the C analyzer: runs `heapscope <command>` on a
trace and parses its --csv or --json output. Nothing here computes a
figure; it only reads, converts text to numbers and caches."""

import csv
import io
import json
import subprocess

from . import VizError


def _number(text):
    if text is None or text == "":
        return None
    try:
        return int(text, 0) if text.startswith("0x") else int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _reword(msg, command):
    """A data command's error line, to follow "heapscope plot: ":
    "heapscope frag: X" -> "frag: X"; "heapscope: X" -> "X"."""
    if msg.startswith("heapscope:"):
        return msg[len("heapscope:"):].strip()
    if msg.startswith("heapscope ") and ":" in msg:
        name, rest = msg[len("heapscope "):].split(":", 1)
        return "%s: %s" % (name, rest.strip())
    return "'heapscope %s' failed: %s" % (command, msg)


class Trace:
    """One trace database, read through the heapscope command at `exe`."""

    def __init__(self, exe, path):
        self.exe = exe
        self.path = path
        self._cache = {}

    def run(self, *args, optional=False):
        """stdout of `heapscope ARGS`; a failure raises VizError with the
        command's own one-line message, or returns None if optional."""
        key = tuple(args)
        if key in self._cache:
            out = self._cache[key]
            if isinstance(out, VizError):
                if optional:
                    return None
                raise out
            return out
        try:
            p = subprocess.run([self.exe] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        except OSError as e:
            raise VizError("cannot run '%s': %s" % (self.exe, e.strerror))
        if p.returncode != 0:
            lines = [l for l in p.stderr.splitlines() if l.strip()]
            msg = lines[0] if lines else "exit status %d" % p.returncode
            error = VizError(_reword(msg, args[0]))
            self._cache[key] = error
            if optional:
                return None
            raise error
        if not p.stdout.strip() and p.stderr.strip():
            # Exit 0 but nothing to draw: the command explained why (e.g.
            # "the glibc bin model does not apply" for a jemalloc trace).
            error = VizError(_reword(p.stderr.strip().splitlines()[0], args[0]))
            self._cache[key] = error
            if optional:
                return None
            raise error
        self._cache[key] = p.stdout
        return p.stdout

    def csv(self, *args, optional=False):
        """(comments, rows): rows are dicts of numbers (or text); comment
        lines start with '#' and are returned without it."""
        text = self.run(*args, optional=optional)
        if text is None:
            return None, None
        # Comment lines come first; the rest is CSV as written, so that a
        # quoted field (a mark's label) may hold line breaks.
        lines = text.split("\n")
        comments = []
        while lines and lines[0].startswith("#"):
            comments.append(lines.pop(0)[1:].strip())
        first = next((line for line in lines if line.strip()), None)
        if first is not None and "," not in first:
            # Not CSV: a sentence saying why there is none (e.g. `frag` on
            # a trace of another allocator).
            if optional:
                return None, None
            raise VizError("%s: %s" % (args[0], first))
        rows = [{k: _number(v) for k, v in r.items()}
                for r in csv.DictReader(io.StringIO("\n".join(lines)))]
        return comments, rows

    def json(self, *args, optional=False):
        text = self.run(*args, optional=optional)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError as e:
            raise VizError("'heapscope %s' printed invalid JSON: %s" % (" ".join(args), e))

    # The commands the pictures use (docs/cli/<name>.md).
    def summary(self):
        return self.json("summary", self.path, "--json", optional=True)

    def timeline(self, every=None):
        args = ["timeline", self.path, "--csv"]
        if every:
            args += ["--every", str(every)]
        return self.csv(*args)

    def lifetimes(self, max_rows=20000):
        return self.csv("lifetimes", self.path, "--csv", "--max", str(max_rows))

    def sizes(self):
        return self.csv("sizes", self.path, "--csv")

    def sites(self, top=15):
        return self.json("sites", self.path, "--json", "--top", str(top))

    def marks(self):
        """[(seq, label)] from the timeline's mark rows."""
        _, rows = self.timeline()
        return [(r["seq"], r["mark"]) for r in rows if r.get("mark")]

    def frag(self, optional=False):
        """The glibc model's figures at each mark and about 1000 times over
        the trace (--every from the event count `summary` gives)."""
        summ = self.summary() or {}
        every = max(1, int(summ.get("n_events", 0) or 0) // 1000)
        return self.csv("frag", self.path, "--csv", "--every", str(every), optional=optional)

    def bins(self, at=None, mark=None):
        return self.json("bins", self.path, "--json", *moment_args(at, mark))

    def faults(self, optional=False):
        return self.json("faults", self.path, "--json", optional=optional)


def moment_args(at, mark):
    if at is not None:
        return ["--at", str(at)]
    if mark is not None:
        return ["--mark", mark]
    return []
