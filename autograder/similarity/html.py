"""``similarity.html``: the flagged pairs' matching regions side by side.

Everything from a submission (ids, code, reasons) is shown as text: control
characters made visible by textsafe, then HTML-escaped; matching regions are
<mark> elements around escaped text. No script, no remote resource: a
Content Security Policy forbids both, as in the feedback HTML.
"""

import html

import numpy as np

from ..textsafe import one_line, printable

ID_LIMIT = 200            # characters of an id shown
REASON_LIMIT = 500        # characters of a skipped submission's reason
SHOWN_CHARS = 200_000     # characters of one side's code shown
NEAR_MISSES = 10          # pairs under the threshold listed (scores only)

_HEAD = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" "
         "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
         "<title>Similarity report</title>\n"
         "<style>body{font-family:sans-serif;margin:1.5em;line-height:1.4;overflow-wrap:anywhere}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
         ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
         ".pair pre{white-space:pre-wrap;background:#f6f6f6;border:1px solid #ddd;padding:.5em;"
         "font-size:85%;margin:0;overflow-wrap:anywhere}"
         "mark{background:#ffd27a}h2{margin-top:2em}.note{color:#555}</style>\n"
         "</head><body>\n")


def _id(text):
    return html.escape(one_line(text, ID_LIMIT))


def _regions(slices, length):
    """Sorted, merged (start, end) character ranges of copydetect's 2 x n slices."""
    slices = np.asarray(slices)
    if slices.ndim != 2 or slices.shape[0] != 2:
        return []
    merged = []
    for start, end in sorted(zip(slices[0].tolist(), slices[1].tolist())):
        start, end = max(0, int(start)), min(length, int(end))
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def highlighted(code, slices):
    """The code as escaped HTML with its matching regions in <mark>; cut to SHOWN_CHARS."""
    shown = code[:SHOWN_CHARS]
    parts, at = [], 0
    for start, end in _regions(slices, len(shown)):
        parts.append(html.escape(printable(shown[at:start])))
        parts.append("<mark>" + html.escape(printable(shown[start:end])) + "</mark>")
        at = end
    parts.append(html.escape(printable(shown[at:])))
    if len(code) > SHOWN_CHARS:
        parts.append(html.escape(f"\n... ({len(code) - SHOWN_CHARS:,} more characters not shown)"))
    return "".join(parts)


def _pair_section(number, pair, codes):
    """One flagged pair: its scores and both codes side by side."""
    a, b = _id(pair.a), _id(pair.b)
    return (f"<h2 id=\"pair{number}\">{number}. {a} and {b}: score {pair.score:.2f}</h2>\n"
            f"<p>{pair.share_a:.0%} of {a}'s own code is found in {b}'s; "
            f"{pair.share_b:.0%} of {b}'s in {a}'s.</p>\n<div class=\"pair\">"
            f"<div><h3>{a}</h3><pre>{highlighted(codes[pair.a], pair.slices_a)}</pre></div>"
            f"<div><h3>{b}</h3><pre>{highlighted(codes[pair.b], pair.slices_b)}</pre></div></div>\n")


def _rows(rows, link):
    """Table rows of pairs; link: each row links to its section below."""
    out = []
    for number, row in enumerate(rows, 1):
        label = f"<a href=\"#pair{number}\">{number}</a>" if link else str(number)
        out.append(f"<tr><td>{label}</td><td>{_id(row['a'])}</td><td>{_id(row['b'])}</td>"
                   f"<td>{row['score']:.4f}</td></tr>")
    return "\n".join(out)


def _table(rows, link):
    return ("<table><tr><th>#</th><th>a</th><th>b</th><th>score</th></tr>\n"
            + _rows(rows, link) + "</table>\n")


def report_html(document, flagged, codes, compared):
    """The page: summary, flagged pairs (table, then code side by side), the
    closest pairs under the threshold, skipped submissions."""
    threshold = document["threshold"]
    rows = document["pairs"]
    flagged_rows = [r for r in rows if r["flagged"]]
    parts = [_HEAD, "<h1>Similarity report</h1>\n",
             f"<p>{compared} submissions compared, starter code removed; "
             f"{len(flagged_rows)} pair(s) at or above the threshold {threshold:g}. "
             "A score is the larger share of one student's own code found in the other's "
             "(names, comments and spacing ignored). A flag is a reason to read both, "
             "not proof of copying.</p>\n"]
    if flagged_rows:
        parts += ["<h2>Flagged pairs</h2>\n", _table(flagged_rows, link=True)]
        parts += [_pair_section(n, pair, codes) for n, pair in enumerate(flagged, 1)]
    else:
        parts.append("<p>No pair reaches the threshold.</p>\n")
    near = [r for r in rows if not r["flagged"]][:NEAR_MISSES]
    if near:
        parts += ["<h2>Closest pairs under the threshold</h2>\n", _table(near, link=False)]
    if document.get("skipped"):
        parts.append("<h2>Not compared</h2>\n<ul>")
        parts += [f"<li>{_id(s['student'])}: {html.escape(one_line(s['reason'], REASON_LIMIT))}</li>"
                  for s in document["skipped"]]
        parts.append("</ul>\n")
    parts.append("</body></html>\n")
    return "".join(parts)
