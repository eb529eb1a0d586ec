"""The class report: what an instructor reads before the next lecture.

    write_class_report(out_dir, results)   # DIR/class_report.json and DIR/class_report.html
    summarise(results) -> dict              # the JSON document, in one pass over the results
    class_report_html(summary) -> str

``results`` is any iterable of result dicts (grading.Grade.to_dict(), with
the private "functions" and "curves"): it is read once, one result at a
time, and only counters are kept (score values, mistake texts, the norms
of the gradient-flow curves to 6 significant digits) with the ungraded
rows' ids and reasons: memory grows with how varied the class is, not
with the size of its results. The same results give the same bytes.

class_report.json (every score counts every row; a submission that could
not be graded counts as 0, as in grades.csv):

    {"n_students": int, "n_graded": int,
     "total": SCORES,                       # the total score, out of max_score
     "questions": [{"id": "q0", "title": str} + SCORES, ...],    # q0 .. q6
     "mistakes": [{"function": str, "question": "q1",
                   "finding": str,          # what went wrong, without the student's numbers
                   "hint": str,             # the bug catalogue's hint ("" when it gave none)
                   "follow_on": bool,       # wrong only because another function is (the finding says which)
                   "students": int}, ...],  # how many students; most frequent first
     "unfinished": [{"function": str, "question": "q1",  # functions not written yet (not defined,
                     "students": int}, ...],               # or raising NotImplementedError): not mistakes
     "ungraded": [{"student": id, "reason": str}, ...],   # status "error", in the batch's order
     "curves": {"0.6": CURVE, "1.25": CURVE}}              # one per W_hh scale a (W_hh = a Q)

    SCORES = {"max_score": float, "mean": float, "median": float, "max": float,
              "full_marks": int,            # rows with every point of it
              "histogram": {"bins": [11 edges, 0 .. max_score],
                            "counts": [10 ints; a bin holds edge[i] <= score < edge[i+1],
                                       the last one max_score too]}}
    CURVE = {"expected": [T norms],         # the answer key's ||dL/dh_{t+1}||, t = 0 .. T-1
             "students": int,               # students whose gradient_norms_through_time gave a curve
             "matching": int,               # ... within the gradient tolerance of the expected one
             "unplottable": int,            # ... with a norm that is 0, negative or not finite
             "median": [T], "q25": [T], "q75": [T],   # over the positive norms at each t (null: none)
             "min": [T], "max": [T]}

A "finding" is the first line of a function's feedback that lost points
(or the line saying it is wrong only because another function is), with the
case counts and measured errors taken out, so that one bug in k students
gives one entry with "students": k. Ids, reasons and findings may
hold text from a submission: the JSON is written with ``tables.json_text``
(controls escaped); the HTML escapes everything after ``textsafe`` made
control characters visible, and its Content-Security-Policy (that of the
feedback HTML) forbids scripts and remote resources. The plots are inline
SVG: no script, no CDN.
"""

import html
import math
import re
from collections import Counter
from pathlib import Path

from ..spec import FUNCTIONS, GRADIENT_TOL, MAX_SCORE, QUESTIONS, question_of
from ..textsafe import one_line
from .feedback import ID_LIMIT, LINE_LIMIT, reason
from .tables import json_text

BINS = 10                      # histogram bins per question
MISTAKES_SHOWN = 40            # rows of the mistakes table in the HTML (the JSON has them all)
HINT_PREFIX = "Hint: "
UNGRADED_LABEL = "Each got a zero row. The reasons may quote the submission's own messages:"
FOLLOW_ON = "keeps part of its points"      # the checks' words for "wrong only because another function is"
_YOURS = re.compile(r"yours, W_hh = (\S+) Q")
_EXPECTED = re.compile(r"expected, rate (\S+)")
# What varies between students with the same bug: how many cases, which one, how far off.
_CASES = re.compile(r" \(in \d+ (?:of \d+ )?cases?(?:, e\.g\. .*)?\)$")
_MEASURED = re.compile(r": (?:max relative error|relative error|off by) \S+(?: of the expected value)? "
                       r"\(tolerance \S+\)| \(max relative error \S+, tolerance \S+\)")
# The grader's words for a function not written yet (grading.explain, the checks' "could not test").
_UNFINISHED = re.compile(r"`\w+` is not (?:defined|implemented yet)\b"
                         r"|could not test `\w+`: `\w+` (?:is not defined|raised NotImplementedError)")


# -- one pass over the results ------------------------------------------------

class _Scores:
    """The distribution of one score (a question's or the total): counts of each value."""

    def __init__(self, max_score):
        self.max_score, self.values = float(max_score), Counter()

    def add(self, score):
        self.values[float(score)] += 1

    def summary(self):
        n = sum(self.values.values())
        width = self.max_score / BINS
        counts = [0] * BINS
        for v, c in self.values.items():
            counts[min(max(math.floor(round(v / width, 9)), 0), BINS - 1) if width else 0] += c
        mean = sum(v * c for v, c in sorted(self.values.items())) / n if n else 0.0   # any order: same sum
        return {"max_score": self.max_score, "mean": round(mean, 4),
                "median": round(_quantile(self.values, 0.5), 4) if n else 0.0,
                "max": max(self.values, default=0.0),
                "full_marks": sum(c for v, c in self.values.items() if v >= self.max_score),
                "histogram": {"bins": [round(width * i, 6) for i in range(BINS + 1)], "counts": counts}}


def _quantile(values, q):
    """The q-quantile of a Counter of numbers (linear between order statistics, as numpy's default)."""
    items = sorted(values.items())
    n = sum(c for _, c in items)
    pos = q * (n - 1)
    lo, frac = int(math.floor(pos)), pos - math.floor(pos)

    def nth(k):
        seen = 0
        for v, c in items:
            seen += c
            if k < seen:
                return v
        return items[-1][0]
    a = nth(lo)
    return a + frac * (nth(lo + 1) - a) if frac else a


def _plottable(v):
    return isinstance(v, (int, float)) and math.isfinite(v) and v > 0


class _Curves:
    """Per W_hh scale: the expected curve and, per step, the counts of the students' norms."""

    def __init__(self):
        self.scales = {}

    def _scale(self, key):
        return self.scales.setdefault(key, {"expected": None, "students": 0, "matching": 0,
                                            "unplottable": 0, "steps": []})

    def add(self, curves):
        """One result's curves: its expected curves first, then the student's."""
        curves = curves or {}
        for label, values in curves.items():
            m = _EXPECTED.fullmatch(label)
            if m and self._scale(m.group(1))["expected"] is None:
                self._scale(m.group(1))["expected"] = [float(v) for v in values]
        for label, values in curves.items():
            m = _YOURS.fullmatch(label)
            if m:
                self._add_student(self._scale(m.group(1)), values)

    @staticmethod
    def _add_student(s, values):
        s["students"] += 1
        s["unplottable"] += not all(_plottable(v) for v in values)
        s["matching"] += s["expected"] is not None and _matches(values, s["expected"])
        while len(s["steps"]) < len(values):
            s["steps"].append(Counter())
        for t, v in enumerate(values):
            if _plottable(v):
                s["steps"][t][float(f"{v:.6g}")] += 1

    def summary(self):
        out = {}
        for key in sorted(self.scales, key=_scale_order):
            s = self.scales[key]
            if s["expected"] is None:
                continue
            T = len(s["expected"])
            steps = (s["steps"] + [Counter()] * T)[:T]
            q = {name: [float(f"{_quantile(c, p):.6g}") if c else None for c in steps]
                 for name, p in (("median", 0.5), ("q25", 0.25), ("q75", 0.75), ("min", 0.0), ("max", 1.0))}
            out[key] = {"expected": s["expected"], "students": s["students"], "matching": s["matching"],
                        "unplottable": s["unplottable"], **q}
        return out


def _scale_order(key):
    try:
        return (float(key), key)
    except ValueError:
        return (math.inf, key)


def _matches(values, expected):
    """Within the gradient tolerance of the expected curve (relative error as SPEC.md defines it)."""
    if len(values) != len(expected) or not all(_plottable(v) for v in values):
        return False
    return all(abs(a - b) / max(1e-8, abs(a) + abs(b)) <= GRADIENT_TOL for a, b in zip(values, expected))


def finding_text(line):
    """A feedback line without what differs between students with the same mistake."""
    return _MEASURED.sub("", _CASES.sub("", one_line(line, LINE_LIMIT)))


def _mistakes_of(result):
    """({(function, finding, hint)}, {unfinished functions}) of one result: each function
    that lost points gives its first finding once per catalogue hint (or once, with no
    hint), unless it is not written yet (not defined, or it or what it needs raises
    NotImplementedError)."""
    keys, unfinished = set(), set()
    for f in result.get("functions", ()):
        if f["score"] >= f["max_score"]:
            continue
        lines = list(f["findings"])
        hints = [line[len(HINT_PREFIX):] for line in lines if line.startswith(HINT_PREFIX)]
        found = [line for line in lines if not line.startswith(HINT_PREFIX)]
        if found and _UNFINISHED.match(found[0]):
            unfinished.add(f["function"])
            continue
        found = [line for line in found if FOLLOW_ON in line] + found     # "wrong only because X is" first
        finding = finding_text(found[0]) if found else one_line(f["head"], LINE_LIMIT)
        keys.update((f["function"], finding, one_line(h, LINE_LIMIT)) for h in hints or [""])
    return keys, unfinished


def summarise(results):
    """The class report's document (see the module docstring), reading ``results`` once."""
    questions = {q.id: _Scores(sum(q.points.values())) for q in QUESTIONS}
    total, curves, mistakes, unfinished, ungraded = None, _Curves(), Counter(), Counter(), []
    n = graded = 0
    for r in results:
        n += 1
        total = total or _Scores(r["max_score"])
        total.add(r["score"])
        scores = {q["id"]: q["score"] for q in r.get("questions", ())}
        for qid, dist in questions.items():
            dist.add(scores.get(qid, 0.0))
        if r["status"] == "graded":
            graded += 1
        else:
            ungraded.append({"student": r["student"], "reason": reason(r)})
        keys, unwritten = _mistakes_of(r)
        mistakes.update(keys)
        unfinished.update(unwritten)
        curves.add(r.get("curves"))
    total = total or _Scores(MAX_SCORE)
    order = {f: i for i, f in enumerate(FUNCTIONS)}
    ranked = sorted(mistakes.items(), key=lambda kv: (-kv[1], order.get(kv[0][0], len(order)), kv[0]))
    left = sorted(unfinished.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
    return {"n_students": n, "n_graded": graded, "total": total.summary(),
            "questions": [{"id": q.id, "title": q.title, **questions[q.id].summary()} for q in QUESTIONS],
            "mistakes": [{"function": f, "question": _question(f), "finding": finding, "hint": hint,
                          "follow_on": FOLLOW_ON in finding, "students": count}
                         for (f, finding, hint), count in ranked],
            "unfinished": [{"function": f, "question": _question(f), "students": count} for f, count in left],
            "ungraded": ungraded, "curves": curves.summary()}


def _question(function):
    try:
        return question_of(function)
    except KeyError:
        return ""


# -- the HTML -------------------------------------------------------------------

_HEAD = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" "
         "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
         "<title>Class report</title>\n"
         "<style>body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4;"
         "overflow-wrap:anywhere}code{background:#f3f3f3;padding:0 .2em}"
         "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border-bottom:1px solid #ddd;"
         "padding:.3em .6em;text-align:left;vertical-align:top}td.n,th.n{text-align:right;white-space:nowrap}"
         "td code{white-space:nowrap}figure{margin:0}"
         ".plots{display:flex;flex-wrap:wrap;gap:.8em}.hint{color:#444;font-size:.92em}"
         ".quoted{color:#555;font-style:italic}tr.follow td{color:#666}pre{white-space:pre-wrap;background:#f6f6f6;"
         "border-left:3px solid #c9a227;padding:.3em .5em;margin:0}</style>\n</head><body>")
_BLUE, _GREY, _AXIS = "#1f77b4", "#888", "#888"


def _text(text, limit=LINE_LIMIT):
    """One line of our text (findings, hints), escaped; its `names` as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(one_line(text, limit)))


def _num(x):
    return f"{x:g}"


def _histogram_svg(title, scores, width=250, height=150):
    """Bars of one score's histogram, the count above each bar, 0 and max_score below."""
    counts, edges = scores["histogram"]["counts"], scores["histogram"]["bins"]
    left, right, top, bottom = 10, 10, 34, 22
    top_count = max(counts) or 1
    bar = (width - left - right) / len(counts)
    base = height - bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{html.escape(title)} score histogram" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="14" text-anchor="middle" font-size="12">{html.escape(title)}</text>']
    for i, c in enumerate(counts):
        h = (base - top) * c / top_count
        x = left + i * bar
        out.append(f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                   f'fill="{_BLUE}"><title>{_num(edges[i])} to {_num(edges[i + 1])}: {c}</title></rect>')
        if c:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">{c}</text>')
    out += [f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{_AXIS}"/>',
            f'<text x="{left}" y="{height - 6}">0</text>',
            f'<text x="{width - right}" y="{height - 6}" text-anchor="end">{_num(edges[-1])}</text>',
            "</svg>"]
    return "\n".join(out)


def _scores_section(summary):
    rows = [("total", "", summary["total"])] + [(q["id"], q["title"], q) for q in summary["questions"]]
    out = ["<h2>Scores</h2>", "<table><tr><th>question</th><th class=\"n\">points</th><th class=\"n\">mean</th>"
           "<th class=\"n\">median</th><th class=\"n\">highest</th><th class=\"n\">full marks</th></tr>"]
    for qid, title, s in rows:
        label = f"{qid}: {title}" if title else qid
        out.append(f"<tr><td>{html.escape(label)}</td><td class=\"n\">{_num(s['max_score'])}</td>"
                   f"<td class=\"n\">{s['mean']:.2f}</td><td class=\"n\">{_num(s['median'])}</td>"
                   f"<td class=\"n\">{_num(s['max'])}</td><td class=\"n\">{s['full_marks']}</td></tr>")
    out.append("</table>")
    out.append("<p>Each histogram counts every submission (one that could not be graded as 0); "
               "ten bins from 0 to the question's points, the last one including full marks.</p>")
    out.append("<div class=\"plots\">" + "".join(
        _histogram_svg(f"{qid} ({_num(s['max_score'])} points)", s) for qid, _, s in rows) + "</div>")
    return out


def _mistakes_section(summary):
    n, mistakes = summary["n_students"], summary["mistakes"]
    out = ["<h2>Most frequent mistakes</h2>"]
    if not mistakes:
        return out + ["<p>No function lost points.</p>"]
    out.append("<p>Each function that lost points, by what its feedback said first and the bug catalogue's "
               "hint; a student counts once per row. Rows in grey are wrong only because another function "
               "is (their points are partly kept).</p>")
    out.append("<table><tr><th class=\"n\">students</th><th>function</th><th>finding and hint</th></tr>")
    for m in mistakes[:MISTAKES_SHOWN]:
        hint = f"<div class=\"hint\">Hint: {_text(m['hint'])}</div>" if m["hint"] else ""
        share = f" ({100 * m['students'] / n:.0f}%)" if n else ""
        follow = " class=\"follow\"" if m["follow_on"] else ""
        out.append(f"<tr{follow}><td class=\"n\">{m['students']}{share}</td><td><code>{html.escape(m['function'])}"
                   f"</code> ({html.escape(m['question'])})</td><td>{_text(m['finding'])}{hint}</td></tr>")
    out.append("</table>")
    if len(mistakes) > MISTAKES_SHOWN:
        out.append(f"<p>{len(mistakes) - MISTAKES_SHOWN} less frequent rows are in class_report.json.</p>")
    return out


def _unfinished_section(summary):
    rows = summary["unfinished"]
    if not rows:
        return []
    out = ["<h2>Functions not written yet</h2>",
           "<p>Not defined, or raising NotImplementedError (the stub's), in the graded submissions; "
           "these are not counted as mistakes above.</p>",
           "<table><tr><th class=\"n\">students</th><th>function</th></tr>"]
    out += [f"<tr><td class=\"n\">{u['students']}</td><td><code>{html.escape(u['function'])}</code> "
            f"({html.escape(u['question'])})</td></tr>" for u in rows]
    return out + ["</table>"]


def _ungraded_section(summary):
    out = ["<h2>Submissions that could not be graded</h2>"]
    if not summary["ungraded"]:
        return out + ["<p>Every submission was graded.</p>"]
    out.append(f"<p class=\"quoted\">{html.escape(UNGRADED_LABEL)}</p>")
    out.append("<table><tr><th>student</th><th>reason</th></tr>")
    for u in summary["ungraded"]:
        out.append(f"<tr><td>{html.escape(one_line(u['student'], ID_LIMIT))}</td>"
                   f"<td><pre>{html.escape(u['reason'])}</pre></td></tr>")
    out.append("</table>")
    return out


def _curve_svg(scale, curve, width=540, height=330):
    """Log-scale norms against steps back from the end: the students' median and
    quartile band, the expected curve dashed."""
    T = len(curve["expected"])
    series = {name: [(T - 1 - t, math.log10(v)) for t, v in enumerate(curve[name]) if v and _plottable(v)]
              for name in ("expected", "median", "q25", "q75", "min", "max")}
    ys = [y for pts in series.values() for _, y in pts]
    lo, hi = math.floor(min(ys)), math.ceil(max(ys))
    hi = hi if hi > lo else lo + 1
    kmax = max(T - 1, 1)
    left, right, top, bottom = 60, 20, 30, 70
    sx = lambda k: left + (width - left - right) * k / kmax
    sy = lambda y: top + (height - top - bottom) * (hi - y) / (hi - lo)
    path = lambda pts: " ".join(f"{sx(k):.1f},{sy(y):.1f}" for k, y in pts)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="gradient norms of the class, W_hh = {html.escape(scale)} Q" font-family="sans-serif" '
           'font-size="12">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle">||dL/dh|| going back in time, '
           f'W_hh = {html.escape(scale)} Q (orthogonal Q), x = 0</text>',
           f'<line x1="{left}" y1="{sy(lo)}" x2="{width - right}" y2="{sy(lo)}" stroke="{_AXIS}"/>',
           f'<line x1="{left}" y1="{sy(lo)}" x2="{left}" y2="{sy(hi)}" stroke="{_AXIS}"/>']
    for y in range(lo, hi + 1, max(1, (hi - lo) // 8)):
        out.append(f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">1e{y}</text>')
    for k in sorted({0, kmax // 2, kmax}):
        out.append(f'<text x="{sx(k):.1f}" y="{sy(lo) + 16:.1f}" text-anchor="middle">{k}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{sy(lo) + 32:.1f}" text-anchor="middle">'
               'steps back from the last state</text>')
    for low, high, opacity in (("min", "max", 0.08), ("q25", "q75", 0.22)):
        if series[low] and series[high]:
            band = series[high] + series[low][::-1]
            out.append(f'<polygon fill="{_BLUE}" opacity="{opacity}" points="{path(band)}"/>')
    out.append(f'<polyline fill="none" stroke="{_GREY}" stroke-width="5" stroke-dasharray="6 4" opacity="0.8" '
               f'points="{path(series["expected"])}"/>')
    if series["median"]:
        out.append(f'<polyline fill="none" stroke="{_BLUE}" stroke-width="2" points="{path(series["median"])}"/>')
    out += _legend(left, height - 14)
    out.append("</svg>")
    return "\n".join(out)


def _legend(x, y):
    """The curve plot's key, one row under the plot: a swatch and a label per series."""
    items = [(f'stroke="{_GREY}" stroke-width="5" stroke-dasharray="6 4" opacity="0.8"', "answer key"),
             (f'stroke="{_BLUE}" stroke-width="2"', "class median"),
             (f'stroke="{_BLUE}" stroke-width="10" opacity="0.22"', "middle half"),
             (f'stroke="{_BLUE}" stroke-width="10" opacity="0.08"', "all students")]
    out = []
    for swatch, label in items:
        out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" {swatch}/>')
        out.append(f'<text x="{x + 30}" y="{y}">{label}</text>')
        x += 36 + 7 * len(label)
    return out


def _curves_section(summary):
    out = ["<h2>Gradient flow of the class</h2>"]
    if not summary["curves"]:
        return out + ["<p>No student's <code>gradient_norms_through_time</code> gave a curve.</p>"]
    out.append("<p>The norms <code>gradient_norms_through_time</code> returned with x = 0, h0 = 0 and "
               "W_hh = a Q, where each step back should multiply the norm by exactly a: the class's median "
               "with the middle half and the whole range of the class shaded, against the answer key's "
               "curve (log scale).</p>")
    out.append("<div class=\"plots\">")
    for scale, curve in summary["curves"].items():
        note = (f"{curve['students']} students gave a curve, {curve['matching']} match the expected one"
                + (f", {curve['unplottable']} hold a norm that is 0 or not finite (left out of the plot)"
                   if curve["unplottable"] else ""))
        out.append(f"<figure>{_curve_svg(scale, curve)}<figcaption>{html.escape(note)}</figcaption></figure>")
    out.append("</div>")
    return out


def class_report_html(summary):
    """class_report.html: scores, mistakes, ungraded submissions, gradient flow."""
    n, graded, total = summary["n_students"], summary["n_graded"], summary["total"]
    parts = [_HEAD, "<h1>Class report</h1>",
             f"<p><strong>{n} submissions</strong>: {graded} graded, {n - graded} could not be graded. "
             f"Total score: mean {total['mean']:.2f}, median {_num(total['median'])} "
             f"of {_num(total['max_score'])}.</p>"]
    for section in (_scores_section, _mistakes_section, _unfinished_section, _ungraded_section, _curves_section):
        parts += section(summary)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_class_report(out_dir, results):
    """DIR/class_report.json and DIR/class_report.html from one pass over ``results``."""
    summary = summarise(results)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "class_report.json").write_text(json_text(summary), encoding="utf-8")
    (out / "class_report.html").write_text(class_report_html(summary), encoding="utf-8")
