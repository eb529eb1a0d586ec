"""``rnngrade grade PATH... --out DIR --student ID``: regrade one student in place.

    result = regrade_student(out, subs, "ada", config, paths, given, progress)

DIR must hold an earlier run's outputs. The student's row in grades.csv and
grades.json, their feedback/<file>.md and .html and their
gradescope/<file>/results.json are rewritten, each atomically (a temporary
file renamed over the old one); so are class_report.html/.json, a class
aggregate, recomputed from every row. Every other byte of DIR stays as it
was: the other rows are taken from DIR/grades.json as they are (their late
penalties are not recomputed, even under a changed policy), the result
cache is not pruned (only the student's new result is added to it).

Misuse (RegradeError, exit status 2, nothing written): an id no PATH gives,
an id that is not in DIR/grades.json (a new student: grade the whole class
again, every finished result comes from the cache), or a DIR whose
grades.json, grades.csv or feedback/index.csv are not exactly what this
rnngrade writes for those rows (edited by hand, or by another version):
rewriting them would change other rows' bytes.
"""

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import batch, late
from .grading import public
from .reports import feedback_html, feedback_markdown, gradescope_results, grades_csv, index_csv, json_text
from .reports.tables import read_csv_cell
from .submit_times import submission_times
from .textsafe import one_line


class RegradeError(ValueError):
    """--student cannot be done on this DIR; the message says why (exit status 2)."""


def _find(subs, student):
    """The submission whose id is exactly ``student``."""
    for sub in subs:
        if sub.student == student:
            return sub
    near = [s.student for s in subs if s.student.casefold() == student.casefold()]
    hint = f" (did you mean {one_line(near[0])}?)" if near else ""
    raise RegradeError(f"--student {one_line(student)}: no submission under the PATHs has this id{hint}")


def document_text(rows):
    """grades.json's text for these public rows, as reports.write_outputs writes it."""
    buf = io.StringIO()
    batch.write_document(buf, rows, json_text)
    return buf.getvalue()


def _read(path):
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegradeError(f"--student: {path} cannot be read ({exc}); grade the whole class first") from None


def load_previous(out):
    """(rows of grades.json, id -> file name of feedback/index.csv), checked to be exactly
    what this rnngrade writes (so rewriting them changes nothing but the one row)."""
    out = Path(out)
    text = _read(out / "grades.json")
    stale = ("--student: {} is not what this rnngrade writes for the rows of grades.json (edited, "
             "or written by another version); grade the whole class again instead")
    try:
        rows = json.loads(text)["submissions"]
    except (ValueError, KeyError, TypeError):
        raise RegradeError(stale.format(out / "grades.json")) from None
    if document_text(rows) != text:
        raise RegradeError(stale.format(out / "grades.json"))
    if grades_csv(rows) != _read(out / "grades.csv"):
        raise RegradeError(stale.format(out / "grades.csv"))
    index = _read(out / "feedback" / "index.csv")
    names = {read_csv_cell(r["student"]): read_csv_cell(r["file"])
             for r in csv.DictReader(io.StringIO(index))}
    if index_csv(names) != index or set(names) != {r["student"] for r in rows}:
        raise RegradeError(stale.format(out / "feedback" / "index.csv"))
    return rows, names


def atomic_write(path, text):
    """Write text to path through a temporary file in the same folder, renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def regrade_student(out, subs, student, config, paths, given=None, progress=None):
    """Grade one student again and update DIR in place; returns the penalised result.
    Raises RegradeError (nothing written) on misuse."""
    out = Path(out)
    sub = _find(subs, student)
    rows, names = load_previous(out)
    where = next((i for i, r in enumerate(rows) if r["student"] == student), None)
    if where is None:
        raise RegradeError(f"--student {one_line(student)}: not in {out / 'grades.json'}; grade the whole "
                           "class again to add a student (finished results come from the cache)")
    raw = batch.grade_batch([sub], jobs=1, out_dir=out, limits=config.limits, progress=progress, prune=False)[0]
    times = submission_times([sub], paths, given) if config.late.due is not None else None
    result = late.apply(raw, config.late, times[0] if times else None)
    rows[where] = public(result)
    name = names[student]
    atomic_write(out / "feedback" / f"{name}.md", feedback_markdown(result))
    atomic_write(out / "feedback" / f"{name}.html", feedback_html(result))
    (out / "gradescope" / name).mkdir(exist_ok=True)
    atomic_write(out / "gradescope" / name / "results.json", json_text(gradescope_results(result)))
    atomic_write(out / "grades.json", document_text(rows))
    atomic_write(out / "grades.csv", grades_csv(rows))
    _class_report(out, subs, rows, config, where, result)
    return result


def _class_rows(out, subs, rows, config, where, result):
    """Every row as the class report reads it: the full cached result (findings, curves)
    with grades.json's row over it, so each row says what the grade book says."""
    by_id = {s.student: s for s in subs}
    for i, row in enumerate(rows):
        if i == where:
            yield result
            continue
        sub = by_id.get(row["student"])
        cached = batch.load_cached(out, sub, config.limits) if sub is not None else None
        yield {**cached, **row} if cached and cached.get("student") == row["student"] else row


def _class_report(out, subs, rows, config, where, result):
    """class_report.html/.json from every row (when this rnngrade writes one): written in a
    temporary folder inside DIR, then each file renamed into DIR."""
    try:
        from .reports.class_report import write_class_report
    except ImportError:
        return
    tmp = Path(tempfile.mkdtemp(prefix=".class-report-", dir=out / ".rnngrade"))
    try:
        write_class_report(tmp, _class_rows(out, subs, rows, config, where, result))
        for made in sorted(tmp.iterdir()):
            os.replace(made, out / made.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
