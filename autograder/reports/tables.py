"""The grade table on the terminal, grades.csv and feedback/index.csv.

Text that came from a submission (its id, the reason it was not graded)
is shown with ``textsafe.one_line``: no control character reaches a
terminal, and one result is always exactly one line.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, tab,
CR or LF as a formula (CSV injection). Every text cell gets a leading
``'`` when it starts with one of them (OWASP's rule), or with ``'`` itself,
so ``read_csv_cell`` can always undo it. The numeric cells are ours and
never negative (scores and points are sums of non-negative shares; a
negative zero is written as ``0``), so they need no quote.
"""

import csv
import io
import re
import unicodedata

from ..batch import dump
from ..spec import QUESTION_IDS
from ..textsafe import one_line

ID_WIDTH = 40              # characters of an id shown in the terminal table
REASON_WIDTH = 70          # characters of a reason shown in the terminal table
CSV_REASON_LIMIT = 500     # characters of a reason in grades.csv
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "'")


def csv_cell(text):
    """A text cell no spreadsheet runs as a formula (one line, controls visible)."""
    text = one_line(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def read_csv_cell(cell):
    """The text a ``csv_cell`` holds (for tools that read grades.csv back)."""
    return cell[1:] if cell.startswith("'") else cell


def number(x):
    """A score as a cell: ``g`` format, never ``-0``."""
    return f"{x + 0.0:g}"


def _qscore(result, qid):
    q = next((q for q in result["questions"] if q["id"] == qid), None)
    return q["score"] if q else 0.0


def _width(text):
    """Columns a terminal gives ``text`` (wide CJK characters take two, combining marks none)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def _status(result):
    reason = result.get("reason")
    return result["status"] + (f": {one_line(reason, REASON_WIDTH)}" if reason else "")


def table(results):
    """The grade table printed at the end of a batch: one line per result, then a summary line."""
    header = ["student"] + list(QUESTION_IDS) + ["total", "status"]
    rows = [[one_line(r["student"], ID_WIDTH)] + [number(_qscore(r, q)) for q in QUESTION_IDS]
            + [f"{number(r['score'])}/{number(r['max_score'])}", _status(r)]
            for r in results]
    widths = [max(_width(x) for x in col) for col in zip(header, *rows)]
    widths[-1] = len(header[-1])
    line = lambda cells: "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    if results:
        mean = sum(r["score"] for r in results) / len(results)
        errors = sum(r["status"] != "graded" for r in results)
        out.append(f"{len(results)} submissions, mean score {mean:.2f}/{number(results[0]['max_score'])}, "
                   f"{errors} not graded")
    return "\n".join(out)


# SPEC.md's columns, then when and how the submission time was known (empty
# without a due date): the issue asks grades.csv to say which source gave it.
GRADES_COLUMNS = ("student", *QUESTION_IDS, "raw_score", "late_penalty", "score", "max_score", "status", "reason",
                  "submitted_at", "time_source")


def grades_csv(results):
    """grades.csv (SPEC.md): student, q0..q6, raw_score, late_penalty (the points taken
    off, so raw_score - late_penalty = score), score, max_score, status, reason; then
    submitted_at and time_source ("timestamp.txt", "--submitted-at" or "mtime"),
    empty when the assignment has no due date."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GRADES_COLUMNS)
    for r in results:
        w.writerow(grades_row(r))
    return buf.getvalue()


def grades_row(r):
    """One result's cells of grades.csv."""
    return ([csv_cell(r["student"])] + [number(_qscore(r, q)) for q in QUESTION_IDS]
            + [number(r.get("raw_score", r["score"])), number(r.get("late_penalty", 0.0)),
               number(r["score"]), number(r["max_score"]), csv_cell(r["status"]),
               csv_cell(one_line(r.get("reason", ""), CSV_REASON_LIMIT)),
               csv_cell(r.get("submitted_at", "")), csv_cell(r.get("time_source", ""))])


def index_csv(names):
    """feedback/index.csv: which file (feedback/<file>.md and .html,
    gradescope/<file>/results.json) belongs to which student."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "file"])
    for student, name in sorted(names.items()):
        w.writerow([csv_cell(student), csv_cell(name)])
    return buf.getvalue()


# Characters json.dumps(ensure_ascii=False) writes raw that a terminal or an
# editor may act on: DEL, C1 controls, bidi marks, line separators, lone
# surrogates. They only ever occur inside JSON strings.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(document):
    """``batch.dump(document)`` (the canonical JSON text) with every
    character that could act on a terminal written as a ``\\uXXXX``
    escape: the same values, safe to print and to encode."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dump(document))
