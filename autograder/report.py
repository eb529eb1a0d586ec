"""What an instructor and a student read: the grade table, grades.csv,
feedback in Markdown and HTML, and Gradescope's results.json.

Every writer takes the result dicts of grading.Grade.to_dict(); none of
them runs checks.
"""

import csv
import html
import io
import re
from pathlib import Path

from .batch import dump
from .grading import public
from .spec import QUESTION_IDS


def safe_name(student):
    """A file name for a student id (ids come from file and folder names)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", student).strip(".") or "student"
    return name[:100]


def _qscore(result, qid):
    q = next((q for q in result["questions"] if q["id"] == qid), None)
    return q["score"] if q else 0.0


def table(results):
    """The grade table printed at the end of a batch."""
    header = ["student"] + list(QUESTION_IDS) + ["total", "status"]
    rows = [[r["student"]] + [f"{_qscore(r, q):g}" for q in QUESTION_IDS]
            + [f"{r['score']:g}/{r['max_score']:g}", r["status"] + (f": {r['reason']}" if r.get("reason") else "")]
            for r in results]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    widths[-1] = len(header[-1])
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    if results:
        mean = sum(r["score"] for r in results) / len(results)
        errors = sum(r["status"] != "graded" for r in results)
        out.append(f"{len(results)} submissions, mean score {mean:.2f}/{results[0]['max_score']:g}, "
                   f"{errors} not graded")
    return "\n".join(out)


def grades_csv(results):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student"] + list(QUESTION_IDS) + ["score", "max_score", "status", "reason"])
    for r in results:
        w.writerow([r["student"]] + [f"{_qscore(r, q):g}" for q in QUESTION_IDS]
                   + [f"{r['score']:g}", f"{r['max_score']:g}", r["status"], r.get("reason", "")])
    return buf.getvalue()


def feedback_markdown(result):
    lines = [f"# Feedback for {result['student']}", "",
             f"**Score: {result['score']:g} / {result['max_score']:g}**", ""]
    if result["status"] != "graded":
        lines += [f"This submission could not be graded: {result.get('reason', '')}", ""]
    for note in result.get("notes", []):
        lines.append(f"> {note}")
    if result.get("notes"):
        lines.append("")
    for q in result["questions"]:
        lines += [f"## {q['id']}: {q['score']:g} / {q['max_score']:g}", ""]
        lines += [f"- {line}" for line in q["feedback"]]
        lines.append("")
    return "\n".join(lines)


def feedback_html(result):
    esc = html.escape
    parts = ["<!doctype html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>Feedback for {esc(result['student'])}</title>",
             "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
             "code{background:#f3f3f3;padding:0 .2em}.full{color:#11772d}.lost{color:#a4251b}</style>",
             "</head><body>", f"<h1>Feedback for {esc(result['student'])}</h1>",
             f"<p><strong>Score: {result['score']:g} / {result['max_score']:g}</strong></p>"]
    if result["status"] != "graded":
        parts.append(f"<p>This submission could not be graded: {esc(result.get('reason', ''))}</p>")
    for note in result.get("notes", []):
        parts.append(f"<blockquote>{esc(note)}</blockquote>")
    for q in result["questions"]:
        cls = "full" if q["score"] >= q["max_score"] else "lost"
        parts.append(f"<h2 class=\"{cls}\">{esc(q['id'])}: {q['score']:g} / {q['max_score']:g}</h2><ul>")
        parts += [f"<li>{_inline_code(esc(line))}</li>" for line in q["feedback"]]
        parts.append("</ul>")
        if q["id"] == "q3" and result.get("curves"):
            parts.append(norms_svg(result["curves"]))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _inline_code(text):
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def norms_svg(curves, width=520, height=300):
    """An inline SVG: gradient norms (log scale) against steps back from the end.

    - curves: dict label -> list of norms (norms[t], t = 0 .. T-1); labels
      starting with "expected" are drawn dashed and grey under the others
    """
    import math
    series = {k: [(len(vs) - 1 - t, math.log10(v)) for t, v in enumerate(vs) if v > 0]
              for k, vs in curves.items()}
    series = {k: pts for k, pts in series.items() if pts}     # zeros and negatives have no log
    if not series:
        return ""
    lo = math.floor(min(y for pts in series.values() for _, y in pts))
    hi = math.ceil(max(y for pts in series.values() for _, y in pts))
    hi = hi if hi > lo else lo + 1
    kmax = max(max(k for k, _ in pts) for pts in series.values()) or 1
    left, right, top, bottom = 60, 20, 30, 45
    sx = lambda k: left + (width - left - right) * k / kmax
    sy = lambda y: top + (height - top - bottom) * (hi - y) / (hi - lo)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="gradient norms through time" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle">gradient norm ||dL/dh|| going back in time</text>',
           f'<line x1="{left}" y1="{sy(lo)}" x2="{width - right}" y2="{sy(lo)}" stroke="#888"/>',
           f'<line x1="{left}" y1="{sy(lo)}" x2="{left}" y2="{sy(hi)}" stroke="#888"/>']
    for y in range(lo, hi + 1):
        out.append(f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">1e{y}</text>')
    for k in sorted({0, kmax // 2, kmax}):
        out.append(f'<text x="{sx(k):.1f}" y="{sy(lo) + 16:.1f}" text-anchor="middle">{k}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 8}" text-anchor="middle">'
               'steps back from the last state</text>')
    ordered = sorted(series.items(), key=lambda kv: not kv[0].startswith("expected"))
    n = 0
    for row, (label, pts) in enumerate(ordered):
        expected = label.startswith("expected")
        colour = "#999" if expected else colours[n % len(colours)]
        n += 0 if expected else 1
        style = 'stroke-width="5" stroke-dasharray="6 4" opacity="0.7"' if expected else 'stroke-width="2"'
        points = " ".join(f"{sx(k):.1f},{sy(y):.1f}" for k, y in pts)
        out.append(f'<polyline fill="none" stroke="{colour}" {style} points="{points}"/>')
        out.append(f'<text x="{left + 8}" y="{top + 14 + 15 * row}" fill="{colour}">{html.escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def gradescope_results(result):
    """Gradescope's results.json for one submission (one test per question)."""
    return {
        "score": result["score"],
        "output": (f"Could not be graded: {result.get('reason', '')}" if result["status"] != "graded"
                   else "Graded by rnngrade."),
        "tests": [{"name": q["id"], "score": q["score"], "max_score": q["max_score"],
                   "output": "\n".join(q["feedback"]), "visibility": "visible"}
                  for q in result["questions"]],
    }


def write_outputs(out_dir, results):
    """grades.csv, grades.json, feedback/<id>.md and .html, gradescope/<id>/results.json."""
    out = Path(out_dir)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "gradescope").mkdir(parents=True, exist_ok=True)
    (out / "grades.csv").write_text(grades_csv(results), encoding="utf-8")
    (out / "grades.json").write_text(dump({"submissions": [public(r) for r in results]}), encoding="utf-8")
    used = set()
    for r in results:
        name = base = safe_name(r["student"])
        n = 1
        while name.lower() in used:               # "a b" and "a_b" must not share a file
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        (out / "feedback" / f"{name}.md").write_text(feedback_markdown(r), encoding="utf-8")
        (out / "feedback" / f"{name}.html").write_text(feedback_html(r), encoding="utf-8")
        (out / "gradescope" / name).mkdir(exist_ok=True)
        (out / "gradescope" / name / "results.json").write_text(dump(gradescope_results(r)), encoding="utf-8")
