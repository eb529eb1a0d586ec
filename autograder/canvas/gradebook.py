"""Canvas's gradebook-import CSV from our grades.csv and the roster Canvas exports.

The roster is the file Canvas's Gradebook > Export gives: a header row
(Student, ID, SIS User ID, SIS Login ID, Section, then one column per
assignment and read-only totals), then a "Points Possible" row and, when
some assignment posts manually, a "Manual Posting" ("Muted" in older
exports) row. Those rows have no ID and are skipped. Every other row is a
student; ``ID`` is the Canvas user id.

A grades.csv row matches the roster row whose ``match`` column (``SIS Login
ID`` by default) equals the student id, ignoring case and surrounding
spaces. Students on one side only are returned, never dropped: the caller
names them on the terminal and in OUT.unmatched.csv.
"""

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..reports.tables import csv_cell, number, read_csv_cell

IMPORT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
DEFAULT_MATCH = "SIS Login ID"
_META_STUDENT = {"", "points possible"}
_META_CELLS = {"muted", "manual posting"}
UNMATCHED_HEADER = ("side", "who", "key", "why")


class CanvasError(ValueError):
    """The command was misused (a missing file, a bad column); the message says what and where."""


@dataclass(frozen=True)
class Grade:
    """One grades.csv row: our student id and its score (a number)."""
    student: str
    score: float


@dataclass(frozen=True)
class Row:
    """One roster student and the grade matched to it (None: no grade)."""
    cells: dict                 # roster column (as in IMPORT_COLUMNS or the match column) -> text
    grade: Grade | None


@dataclass(frozen=True)
class Matching:
    """The result of matching grades to a roster."""
    rows: list                  # [Row], in roster order
    unmatched: list             # [(side, who, key, why)], for OUT.unmatched.csv and stderr


def key(text):
    """What two ids are compared by: case folded, surrounding spaces stripped."""
    return text.strip().casefold()


def _read_table(path, what):
    """(header, rows) of a CSV file; CanvasError when it cannot be read or is empty."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CanvasError(f"{what} {path}: cannot read it ({exc})") from None
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise CanvasError(f"{what} {path}: the file is empty")
    return [cell.strip() for cell in table[0]], table[1:]


def _column(header, name, what, path):
    """Index of column ``name`` (case-insensitive) in ``header``; CanvasError naming the columns there are."""
    for i, cell in enumerate(header):
        if key(cell) == key(name):
            return i
    raise CanvasError(f"{what} {path} has no column {name!r}; its columns: "
                      + ", ".join(repr(c) for c in header))


def _cell(row, i):
    """Cell ``i`` of a CSV row ("" when the row is short or the column absent)."""
    return row[i] if i is not None and i < len(row) else ""


def read_grades(path):
    """[Grade] from grades.csv (``student`` and ``score`` columns; the ids'
    CSV-injection quote undone). ``score`` is the final score, after any
    late penalty, whatever other columns (raw_score, late_penalty) the file has."""
    header, rows = _read_table(path, "grades")
    who, score = (_column(header, name, "grades", path) for name in ("student", "score"))
    grades = []
    for line, row in enumerate(rows, start=2):
        student = read_csv_cell(_cell(row, who))
        try:
            value = float(_cell(row, score))
        except ValueError:
            value = math.nan
        if not student.strip() or not math.isfinite(value) or value < 0:
            raise CanvasError(f"grades {path}, line {line}: needs a student id and a score "
                              f"that is a number >= 0 (got {_cell(row, who)!r}, {_cell(row, score)!r})")
        grades.append(Grade(student, value))
    return grades


def _is_meta(cells):
    """Canvas's "Points Possible" and "Manual Posting"/"Muted" rows: no ID, and one of those labels."""
    if cells["ID"]:
        return False
    return key(cells["Student"]) in _META_STUDENT or any(key(c) in _META_CELLS for c in cells["_all"])


def read_roster(path, match=DEFAULT_MATCH):
    """The roster's student rows as dicts of IMPORT_COLUMNS (and ``match``)
    -> text (stripped); a column the export lacks (SIS ids hidden by permissions) is empty.
    ID and the match column must exist."""
    header, rows = _read_table(path, "roster")
    index = {name: _column(header, name, "roster", path) for name in ("ID", match)}
    for name in IMPORT_COLUMNS:
        if name not in index:
            index[name] = next((i for i, c in enumerate(header) if key(c) == key(name)), None)
    students = []
    for row in rows:
        cells = {name: _cell(row, i).strip() for name, i in index.items()}
        cells["_all"] = row
        if not _is_meta(cells):
            del cells["_all"]
            students.append(cells)
    return students


def match(grades, roster, column=DEFAULT_MATCH):
    """Pair each roster row with the grade whose student id equals its ``column``.

    A key shared by two grades, or by roster rows with different IDs, is
    ambiguous: nobody gets that grade, and the summary says so."""
    by_key = {}
    for g in grades:
        by_key.setdefault(key(g.student), []).append(g)
    owners = {}
    for cells in roster:
        owners.setdefault(key(cells[column]), set()).add(cells["ID"])
    unmatched, used, rows = [], set(), []
    for cells in roster:
        k = key(cells[column])
        found = by_key.get(k, []) if k else []
        who = f"{cells['Student']} (ID {cells['ID']})"
        if len(found) > 1 or (found and len(owners[k]) > 1):
            why = (f"{len(found)} grades.csv rows have this id" if len(found) > 1
                   else f"several roster students have this {column}")
            unmatched.append(("ambiguous", who, cells[column], why))
            found = []
        elif not found:
            why = f"no {column} in the roster" if not k else "no grade for this student in grades.csv"
            unmatched.append(("roster only", who, cells[column], why))
        used.add(k)
        rows.append(Row(cells, found[0] if found else None))
    for g in grades:
        if key(g.student) not in used:
            unmatched.append(("grades only", g.student, key(g.student),
                              f"no roster student has this {column}"))
    return Matching(rows, unmatched)


def import_csv(matching, header, missing=None):
    """The gradebook-import CSV: IMPORT_COLUMNS, then the assignment column
    named ``header``. A roster student without a grade gets ``missing``:
    None leaves the cell empty (Canvas's import then changes nothing)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*IMPORT_COLUMNS, csv_cell(header)])
    for row in matching.rows:
        score = row.grade.score if row.grade else missing
        w.writerow([csv_cell(row.cells[c]) for c in IMPORT_COLUMNS]
                   + ["" if score is None else number(score)])
    return buf.getvalue()


def unmatched_csv(matching):
    """OUT.unmatched.csv: side (grades only / roster only / ambiguous), who, key, why."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(UNMATCHED_HEADER)
    for entry in matching.unmatched:
        w.writerow([csv_cell(x) for x in entry])
    return buf.getvalue()


def unmatched_path(out):
    """OUT.unmatched.csv beside OUT (``canvas.csv`` -> ``canvas.unmatched.csv``)."""
    p = Path(out)
    stem = p.name[:-4] if p.name.lower().endswith(".csv") else p.name
    return p.with_name(stem + ".unmatched.csv")


def refuse_overwrite(out, *inputs):
    """CanvasError when OUT (or its summary) is one of the input files."""
    for target in (Path(out), unmatched_path(out)):
        for source in inputs:
            if target.exists() and os.path.samefile(target, source):
                raise CanvasError(f"--out {out} would overwrite the input {source}")
