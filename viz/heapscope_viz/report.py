"""The HTML report (`heapscope report`): index.html plus one PNG per
picture, in the directory given, opened from disk with no server and no
external resource (CSS inline, images relative). Every number in it is
printed by a C command (summary, verdict, sites, leaks, ...); this module
only lays them out. Two traces give a side-by-side comparison."""

import html
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from . import VizError
from .data import Trace
from . import style

PICTURES = (("timeline", "Memory over time"),
            ("heapmap", "Heap map: every block's address and lifetime"),
            ("frag", "Fragmentation over time"),
            ("sizes", "Request sizes and chunk classes"),
            ("bins", "glibc's bins (at the last mark, else at the end)"),
            ("faults", "Page faults"))

# How to read each picture, for students.
CAPTIONS = {
    "timeline": "The program's live data (blue) against what the heap holds: the brk heap "
                "(black) and the mmapped chunks (red). The gap between black and blue is free "
                "space and chunk overhead; the middle panel shows which bins hold that free "
                "space (the colours of the bins picture), the bottom one when pages were "
                "first touched. Under another allocator (jemalloc, tcmalloc, mimalloc) a "
                "dashed line shows the memory it mapped for itself.",
    "heapmap": "Each rectangle is one block: it starts when malloc returned it and ends when "
               "it was freed, at the addresses it occupied. Holes between rectangles below the "
               "program break are free chunks; a break that never comes down means the heap "
               "was not trimmed.",
    "frag": "External fragmentation is 1 - largest free chunk / all free bytes: near 1, the "
            "free space is in many small pieces. Utilization is live requested bytes / heap "
            "extent.",
    "sizes": "How big the requests were, and which glibc size class their chunks fall in "
             "(fastbin-sized chunks are recycled fastest; mmapped ones go back to the kernel "
             "on free).",
    "bins": "Every non-empty bin at the last mark (or at the end), chunks in list order: the next malloc of "
            "that size takes the head (left).",
    "faults": "Each dot is a page touched for the first time (or again): heap growth costs "
              "page faults when the memory is first written, not when malloc returns it.",
}

CSS = """
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1900px; }
h1 { font-size: 1.5em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
h3 { font-size: 1.05em; margin-bottom: .3em; } h4 { font-size: .95em; margin: .6em 0 .2em; }
table { border-collapse: collapse; font-size: .85em; margin: .4em 0 1em; }
td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eef3f8; }
.cols { display: grid; gap: 1.5em; }
.cols.two { grid-template-columns: 1fr 1fr; }
img { max-width: 100%; border: 1px solid #ddd; }
.verdict { padding: .6em 1em; border-left: 6px solid #999; background: #f6f6f6; }
.verdict.low, .verdict.small { border-color: #009E73; }
.verdict.moderate { border-color: #E69F00; }
.verdict.high { border-color: #D55E00; }
.missing { color: #666; font-style: italic; }
.caption { color: #444; font-size: .9em; max-width: 70em; }
code { font-size: .9em; }
table.claims td:first-child { max-width: 34em; }
table.claims td.n { white-space: nowrap; }
table.claims tr.holds td:last-child { border-left: 5px solid #009E73; }
table.claims tr.differs td:last-child { border-left: 5px solid #E69F00; }
table.claims tr.info td:last-child, table.claims tr.cannot td:last-child { border-left: 5px solid #999; }
"""

ONLOAD = """
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++)
    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
  document.body.setAttribute('data-images', String(imgs.length));
  document.body.setAttribute('data-images-loaded', String(ok));
});
"""


def esc(x):
    return html.escape(str(x), quote=True)


def num(v):
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return "{:,}".format(v)
    if isinstance(v, float):
        return "%.4g" % v
    return esc(v)


def flatten(obj, prefix=""):
    """Scalars of a JSON object as (dotted key, value) rows."""
    rows = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            rows += flatten(v, "%s%s." % (prefix, k) if isinstance(v, (dict, list)) else prefix + k)
    elif isinstance(obj, list):
        if len(obj) <= 8 and all(not isinstance(v, (dict, list)) for v in obj):
            rows.append((prefix.rstrip("."), ", ".join(str(v) for v in obj)))
        else:
            rows.append((prefix.rstrip("."), "%d entries" % len(obj)))
    else:
        rows.append((prefix, obj))
    return rows


# `heapscope summary --json`'s keys in words (docs/cli/summary.md).
SUMMARY_WORDS = {
    "trace": "trace file", "n_events": "events", "n_lost": "events lost",
    "duration_ns": "duration (ns)", "peak_live_size": "peak of live bytes requested",
    "peak_live_size_seq": "  at event", "peak_live_chunk_size": "peak of live chunk bytes",
    "peak_live_chunk_size_seq": "  at event", "ops": "events by operation",
    "processes": "processes", "call_stacks": "call stacks (record --stack N)",
}


def summary_html(summ):
    """`heapscope summary --json`: its scalars as one table, each list of
    objects (ops, processes) as a table of its own; call stacks only for a
    trace that has them."""
    summ = dict(summ)
    if not (summ.get("call_stacks") or {}).get("allocations"):
        summ.pop("call_stacks", None)
    scalars = [(SUMMARY_WORDS.get(k, k), v) for k, v in summ.items()
               if not isinstance(v, (dict, list))]
    out = [table(("figure", "value"), scalars, numeric=(1,))]
    for k, v in summ.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            cols = []
            for x in v:
                cols += [c for c in x if c not in cols and not isinstance(x[c], (dict, list))]
            rows = [[x.get(c, "") for c in cols] for x in v[:50]]
            numeric = tuple(i for i, c in enumerate(cols)
                            if all(isinstance(r[i], (int, float)) for r in rows)
                            and c not in ("pid", "ppid", "exec_gen", "tid"))
            out.append("<h4>%s</h4>%s" % (esc(SUMMARY_WORDS.get(k, k)),
                                          table(cols, rows, numeric=numeric)))
        elif isinstance(v, dict):
            out.append("<h4>%s</h4>%s" % (esc(SUMMARY_WORDS.get(k, k)),
                                          table(("figure", "value"), flatten(v), numeric=(1,))))
    return "\n".join(out)


def table(header, rows, numeric=()):
    out = ["<table><tr>%s</tr>" % "".join("<th>%s</th>" % esc(h) for h in header)]
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            cls = ' class="n"' if i in numeric else ""
            text = "-" if v is None else num(v) if i in numeric else esc(v)  # null: unknown
            cells.append("<td%s>%s</td>" % (cls, text))
        out.append("<tr>%s</tr>" % "".join(cells))
    out.append("</table>")
    return "\n".join(out)


def site_rows(sites, key, limit=10):
    """Rows of one list of `heapscope sites --json`; a site of a call stack
    (`record --stack N`) names its callers after its caller."""
    rows = []
    for s in sites.get(key, [])[:limit]:
        where = s["where"] + "".join(" \u2190 " + c for c in s.get("callers", []))
        rows.append((where, s["n_allocs"], s["bytes"], s["max_size"], s["n_live"],
                     s["live_bytes"]))
    return rows


SITE_HEADER = ("site (caller of malloc)", "allocations", "bytes requested", "largest",
               "live at end", "live bytes")


def lab_claims(path):
    """The rows `heapscope lab run` stored in the trace's table lab_claims
    (docs/schema.md), in the lab's order, as dicts; None if the trace is
    not a lab's. The verdicts were computed by the C command: this only
    reads them."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                              "AND name = 'lab_claims'").fetchone():
                return None
            cur = db.execute("SELECT lab, number, key, claim, rule, article_value, "
                             "glibc236_value, measured, verdict, reason, as_expected "
                             "FROM lab_claims ORDER BY number, ord")
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()] or None
        finally:
            db.close()
    except sqlite3.Error:
        return None


VERDICT_CLASS = {"holds": "holds", "differs": "differs", "info": "info",
                 "cannot run here": "cannot", "not measured": "cannot"}


def claims_html(rows, catalog):
    """One table per lab: the article's claim and value, what this machine
    measured, and the verdict with its reason. catalog: `heapscope lab
    list --json` (titles and pages), or None."""
    labs = {x["name"]: x for x in catalog or []}
    out = []
    for lab in dict.fromkeys((r["number"], r["lab"]) for r in rows):
        mine = [r for r in rows if (r["number"], r["lab"]) == lab]
        n = lambda v: sum(1 for r in mine if r["verdict"] == v)
        info = labs.get(lab[1], {})
        out.append("<h3>Lab %d %s%s</h3>" % (lab[0], esc(lab[1]), ": " + esc(info["title"])
                                             if "title" in info else ""))
        out.append("<p><b>%d hold, %d differ, %d info, %d cannot run here</b>%s. "
                   "The lab's page explains each step: <code>%s</code>.</p>"
                   % (n("holds"), n("differs"), n("info"), n("cannot run here"),
                      ", %d not measured" % n("not measured") if n("not measured") else "",
                      esc(info.get("doc", "docs/labs/"))))
        body = ['<table class="claims"><tr><th>the article claims</th><th>article</th>'
                '<th>measured here</th><th>verdict</th></tr>']
        for r in mine:
            article = "" if r["rule"] == "info" else "%s %s" % (r["rule"], r["article_value"])
            measured = {None: "(not printed)", "skip": "(not measured)"}.get(r["measured"],
                                                                      r["measured"])
            note = ""
            if r["glibc236_value"] and r["as_expected"] == 0:
                note = ("<br><small>expected here (measured on Debian 12): %s</small>"
                        % esc(r["glibc236_value"]))
            verdict = "<b>%s</b>" % esc(r["verdict"])
            if r["reason"]:
                verdict += ": " + esc(r["reason"])
            body.append('<tr class="%s"><td>%s<br><small><code>%s</code></small></td>'
                        '<td class="n">%s</td><td class="n">%s%s</td><td>%s</td></tr>'
                        % (VERDICT_CLASS.get(r["verdict"], "info"), esc(r["claim"]),
                           esc(r["key"]), esc(article), esc(measured), note, verdict))
        body.append("</table>")
        out.append("\n".join(body))
    return "\n".join(out)


class Section:
    """Everything the report shows for one trace (numbers from C)."""

    def __init__(self, exe, path, index, out_dir):
        self.trace = Trace(exe, path)
        self.path = path
        self.index = index
        self.out_dir = out_dir
        self.pictures = {}

    def prefetch(self, pool):
        t = self.trace
        jobs = [lambda: t.timeline(), lambda: t.lifetimes(), lambda: t.sizes(),
                lambda: t.sites(), lambda: t.json("verdict", t.path, "--json"),
                lambda: t.frag(optional=True), lambda: t.summary(),
                lambda: t.faults(optional=True)]
        return [pool.submit(j) for j in jobs]

    def draw(self):
        from .__main__ import draw
        for kind, _title in PICTURES:
            name = "%d-%s.png" % (self.index, kind)
            try:
                draw(self.trace, kind, os.path.join(self.out_dir, name))
                self.pictures[kind] = name
            except VizError as e:
                self.pictures[kind] = VizError(str(e))

    def title(self):
        s = self.trace.summary() or {}
        procs = s.get("processes") or [{}]
        prog = os.path.basename(str(procs[0].get("exe") or ""))
        base = os.path.basename(self.path)
        return "%s%s" % (base, (" (%s)" % prog) if prog else "")


def picture_html(sec, kind):
    p = sec.pictures.get(kind)
    if isinstance(p, str):
        return '<img src="%s" alt="%s">' % (esc(p), esc(kind))
    return '<p class="missing">not available: %s</p>' % esc(p)


def write(exe, paths, out_dir):
    if len(paths) > 2:
        raise VizError("a report takes one trace, or two to compare")
    os.makedirs(out_dir, exist_ok=True)
    started = time.time()
    secs = [Section(exe, p, i + 1, out_dir) for i, p in enumerate(paths)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [f for s in secs for f in s.prefetch(pool)]
        for f in futures:
            f.result()  # raises the first failing required command
    for s in secs:
        s.draw()
    two = len(secs) == 2
    grid = '<div class="cols%s">' % (" two" if two else "")
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>heapscope report: %s</title>" % esc(" vs ".join(s.title() for s in secs)),
             "<style>%s</style>" % CSS, "<script>%s</script>" % ONLOAD, "</head><body>"]
    parts.append("<h1>heapscope report: %s</h1>" % esc(" vs ".join(s.title() for s in secs)))
    parts.append("<p>Every figure below was computed by the heapscope analyzer from the "
                 "recorded trace%s; the pictures only draw them.</p>" % ("s" if two else ""))
    verdicts = [s.trace.json("verdict", s.path, "--json") for s in secs]
    # A lab's trace: what the student ran it for comes first.
    claims = [lab_claims(s.path) for s in secs]
    if any(claims):
        catalog = secs[0].trace.json("lab", "list", "--json", optional=True)
        parts.append("<h2>The article's claims, checked on this machine</h2>" + grid)
        for s, c in zip(secs, claims):
            parts.append("<div>%s%s</div>" % ("<h3>%s</h3>" % esc(s.title()) if two else "",
                                              claims_html(c, catalog) if c else
                                              '<p class="missing">not a lab trace</p>'))
        parts.append("</div><p class=\"caption\">Written into the trace by <code>heapscope lab "
                     "run</code> (table <code>lab_claims</code>): <b>holds</b> the measured value "
                     "satisfies the article's; <b>differs</b> it does not, and the reason is "
                     "glibc's behaviour; <b>info</b> a number without a verdict (timings); "
                     "<b>cannot run here</b> this machine could not measure it. Claims marked "
                     "(trace) were checked on the recorded trace, the others on what the lab "
                     "program printed.</p>")
    if two:
        parts.append("<h2>Side by side</h2>")
        rows = [["fragmentation verdict"] + [v["level"] for v in verdicts]]
        for key, label in (("peak.held", "held at peak (heap + mmapped)"),
                           ("peak.live_requested", "live data at peak"),
                           ("peak.utilization", "utilization at peak"),
                           ("peak.overhead", "chunk overhead at peak"),
                           ("end.held", "held at the end"),
                           ("end.live_requested", "live data at the end")):
            a, b = key.split(".")
            # A verdict that did not judge (another allocator, threads'
            # arenas) has no held memory to compare, and no peak of it:
            # its live data at peak is the peak of the live data.
            def figure(v):
                if v["level"] != "unknown":
                    return v[a][b]
                if "live" not in b:
                    return "not measured (see the verdict)"
                return v["peak_live"][b] if a == "peak" else v[a][b]
            rows.append([label] + [figure(v) for v in verdicts])
        for key, label in (("free_bytes", "free bytes in the heap at the end (glibc model)"),
                           ("largest_free", "largest free chunk at the end"),
                           ("external_frag", "external fragmentation at the end")):
            rows.append([label] + [v["end_model"][key] if "end_model" in v else "n/a"
                                   for v in verdicts])
        sites = [s.trace.sites() for s in secs]
        for key, label in (("n_allocs", "allocations"), ("bytes", "bytes requested"),
                           ("n_live", "blocks live at the end"), ("live_bytes", "bytes live at the end")):
            rows.append([label] + [x[key] for x in sites])
        parts.append(table(["figure"] + [s.title() for s in secs], rows, numeric=(1, 2)))
    parts.append("<h2>Fragmentation verdict</h2>" + grid)
    for s, v in zip(secs, verdicts):
        parts.append('<div><h3>%s</h3><p class="verdict %s"><b>%s.</b> %s</p></div>'
                     % (esc(s.title()), esc(v["level"]), esc(v["level"].capitalize()), esc(v["text"])))
    parts.append("</div><p><small>Thresholds: held memory under 1 MiB at its peak is "
                 "&ldquo;small&rdquo;; otherwise utilization (live requested bytes / held bytes) "
                 "at the peak &ge; 75% is low, 50&ndash;75% moderate, below 50% high "
                 "(docs/cli/verdict.md).</small></p>")
    parts.append("<h2>Summary</h2>" + grid)
    for s in secs:
        summ = s.trace.summary()
        body = summary_html(summ) if summ else \
            '<p class="missing">not available (heapscope summary failed)</p>'
        parts.append("<div><h3>%s</h3>%s</div>" % (esc(s.title()), body))
    parts.append("</div>")
    for kind, title in PICTURES:
        parts.append("<h2>%s</h2>%s" % (esc(title), grid))
        for s in secs:
            parts.append("<div>%s%s</div>" % ("<h3>%s</h3>" % esc(s.title()) if two else "",
                                            picture_html(s, kind)))
        parts.append('</div><p class="caption">%s</p>' % esc(CAPTIONS[kind]))
    parts.append("<h2>Allocation sites</h2>" + grid)
    for s in secs:
        st = s.trace.sites()
        parts.append("<div>%s<h3>Largest (by bytes requested)</h3>%s"
                     "<h3>Most frequent (by allocations)</h3>%s</div>"
                     % ("<h3>%s</h3>" % esc(s.title()) if two else "",
                        table(SITE_HEADER, site_rows(st, "by_bytes"), numeric=(1, 2, 3, 4, 5)),
                        table(SITE_HEADER, site_rows(st, "by_count"), numeric=(1, 2, 3, 4, 5))))
    parts.append("</div><h2>Leaks: blocks never freed</h2>" + grid)
    for s in secs:
        st = s.trace.sites()
        rows = site_rows(st, "by_live")
        head = "<p>%s blocks, %s bytes still live at the end.</p>" % (num(st["n_live"]),
                                                                     num(st["live_bytes"]))
        parts.append("<div>%s%s%s</div>" % ("<h3>%s</h3>" % esc(s.title()) if two else "", head,
                                            table(SITE_HEADER, rows, numeric=(1, 2, 3, 4, 5))
                                            if rows else "<p>No leaks.</p>"))
    parts.append("</div>")
    parts.append("<p><small>Generated by heapscope in %.1f s.</small></p></body></html>"
                 % (time.time() - started))
    with open(os.path.join(out_dir, "index.html"), "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
