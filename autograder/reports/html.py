"""The HTML feedback (with the gradient-norm plot as inline SVG).

Every text is HTML-escaped after ``textsafe`` has made its control
characters visible (a bidi override would otherwise reorder the page);
reasons and notes, which may quote the submission, sit in labelled
``<pre>`` blocks; findings are nested under their function. A Content
Security Policy forbids scripts and remote resources, should anything
ever slip through.
"""

import html
import math
import re

from ..late import late_lines, score_line
from ..textsafe import one_line
from .feedback import ID_LIMIT, LINE_LIMIT, NOTES_LABEL, REASON_LABEL, items, notes, reason

_HEAD = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" "
         "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
         "<title>Feedback for {student}</title>\n"
         "<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4;"
         "overflow-wrap:anywhere}}code{{background:#f3f3f3;padding:0 .2em}}.full{{color:#11772d}}"
         ".lost{{color:#a4251b}}.quoted{{color:#555;font-style:italic;margin-bottom:.2em}}"
         "pre{{white-space:pre-wrap;background:#f6f6f6;border-left:3px solid #c9a227;"
         "padding:.4em .6em;margin-top:0}}li>ul{{margin:.2em 0 .5em}}</style>\n</head><body>")


def _line(text):
    """One feedback line as HTML: escaped, our `names` as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(one_line(text, LINE_LIMIT)))


def _quoted(label, texts):
    """A label saying where the text comes from, then each text in a <pre>."""
    return [f"<p class=\"quoted\">{html.escape(label)}</p>"] + [f"<pre>{html.escape(t)}</pre>" for t in texts]


def _question(result, q):
    cls = "full" if q["score"] >= q["max_score"] else "lost"
    parts = [f"<h2 class=\"{cls}\">{html.escape(q['id'])}: {q['score']:g} / {q['max_score']:g}</h2>", "<ul>"]
    for head, findings in items(result, q):
        nested = "".join(f"<li>{_line(f)}</li>" for f in findings)
        parts.append(f"<li>{_line(head)}" + (f"<ul>{nested}</ul>" if nested else "") + "</li>")
    parts.append("</ul>")
    if q["id"] == "q3" and result.get("curves"):
        parts.append(norms_svg(result["curves"]))
    return parts


def feedback_html(result):
    """feedback/<file>.html: the same content as the Markdown, and the q3 plot."""
    student = html.escape(one_line(result["student"], ID_LIMIT))
    parts = [_HEAD.format(student=student), f"<h1>Feedback for {student}</h1>",
             f"<p><strong>{html.escape(score_line(result))}</strong></p>"]
    if late_lines(result):
        parts += (["<p>Late work:</p>", "<ul>"] + [f"<li>{html.escape(one_line(x))}</li>" for x in late_lines(result)]
                  + ["</ul>"])
    if reason(result):
        parts += _quoted(REASON_LABEL, [reason(result)])
    if notes(result):
        parts += _quoted(NOTES_LABEL, notes(result))
    for q in result["questions"]:
        parts += _question(result, q)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _plottable(v):
    """A norm with a logarithm (a student's curve may hold inf, NaN, 0 or junk)."""
    return isinstance(v, (int, float)) and math.isfinite(v) and v > 0


def norms_svg(curves, width=520, height=300):
    """An inline SVG: gradient norms (log scale) against steps back from the end.

    - curves: dict label -> list of norms (norms[t], t = 0 .. T-1); labels
      starting with "expected" are drawn dashed and grey under the others
    """
    series = {k: [(len(vs) - 1 - t, math.log10(v)) for t, v in enumerate(vs) if _plottable(v)]
              for k, vs in curves.items()}
    series = {k: pts for k, pts in series.items() if pts}
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
    for y in range(lo, hi + 1, max(1, (hi - lo) // 8)):          # at most about nine ticks
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
