"""When each submission was handed in, for the late penalty (autograder/late.py).

    times = submission_times(subs, paths, csv_path)     # [late.SubmissionTime], one per sub

In this order (SPEC.md):

1. nbgrader's ``timestamp.txt`` in the student's assignment folder
   (``submitted/<student>/<assignment>/timestamp.txt``, in nbgrader's layout
   only), parsed with nbgrader's own ``nbgrader.utils.parse_utc``, as
   nbgrader's collect and autograde read it (a time without a zone is UTC);
2. else the instructor's ``--submitted-at`` CSV (columns ``student``,
   ``submitted_at``: ISO 8601 with an offset);
3. else the file's modification time.

``timestamp.txt`` is written by ``nbgrader submit`` on the student's side,
so in some setups the student controls it: it is read like a submission
(never through a link, never a FIFO, at most TIMESTAMP_BYTES), its time zone
may only be a zone name or a numeric offset (dateutil would open a zone FILE
named by a path), and a timestamp that cannot be read is skipped with a
note, never trusted in part. Where students can write it, give the LMS's
times with ``--submitted-at`` and remove the timestamp files.
"""

import csv
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from .discovery import is_nbgrader
from .late import SubmissionTime
from .sandbox.notebook import NotRegular, open_listed, read_upto
from .textsafe import one_line

TIMESTAMP_NAME = "timestamp.txt"
TIMESTAMP_BYTES = 1024
CSV_COLUMNS = ("student", "submitted_at")
# A zone as the third word of a timestamp: a name (UTC, Europe/Paris, Etc/GMT+5) or an offset.
_ZONE = re.compile(r"[+-]?\d{1,5}|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,3}")


class TimesError(ValueError):
    """The --submitted-at file cannot be used (a usage error: exit status 2); the message says where."""


def assignment_folders(subs, paths):
    """student id -> the nbgrader assignment folder holding their submission, for the
    submissions found under a PATH in nbgrader's layout (discovery.is_nbgrader)."""
    roots = [Path(os.fsdecode(p)) for p in paths]
    roots = [r for r in roots if r.is_dir() and not r.is_symlink() and is_nbgrader(r)]
    folders = {}
    for sub in subs:
        for root in roots:
            try:
                parts = sub.path.relative_to(root).parts
            except ValueError:
                continue
            if len(parts) >= 3:                        # <student>/<assignment>/.../<file>
                folders[sub.student] = root / parts[0] / parts[1]
            break
    return folders


def read_timestamp(folder):
    """(aware UTC datetime or None, note): the folder's timestamp.txt read as nbgrader does;
    (None, "") when there is none, (None, why) when it cannot be used."""
    from nbgrader.utils import parse_utc

    try:
        with open_listed(folder / TIMESTAMP_NAME) as fd:
            data = b"".join(read_upto(fd, TIMESTAMP_BYTES + 1))
    except FileNotFoundError:
        return None, ""
    except (NotRegular, OSError):
        return None, f"{TIMESTAMP_NAME} is not a regular file (or a link); it was not read."
    ignored = f"{TIMESTAMP_NAME} holds no time nbgrader can read (as in 2026-12-01 16:00:00.000000 UTC); it was ignored."
    if len(data) > TIMESTAMP_BYTES:
        return None, ignored
    try:
        text = data.decode("utf-8").strip()
        words = text.split(" ")
        if not text or (len(words) == 3 and not _ZONE.fullmatch(words[2])):
            return None, ignored
        moment = parse_utc(text)                      # naive, in UTC
        return moment.replace(tzinfo=timezone.utc), ""
    except (ValueError, OverflowError, TypeError, LookupError, AttributeError):
        return None, ignored


def modified(path):
    """The file's modification time (of the link itself for a link), or None."""
    try:
        return datetime.fromtimestamp(os.lstat(path).st_mtime, tz=timezone.utc)
    except (OSError, OverflowError, ValueError):
        return None


def read_submitted_at(path, students):
    """student id -> aware datetime from the --submitted-at CSV; TimesError naming the
    line of a bad time, a repeated student, or the students who have no submission."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return _parse_csv(csv.reader(f), path, set(students))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TimesError(f"--submitted-at {path}: cannot be read ({exc})") from None


def _parse_csv(reader, path, students):
    header = [h.strip() for h in next(reader, [])]
    if sorted(header) != sorted(CSV_COLUMNS):
        raise TimesError(f"--submitted-at {path}: the columns must be {', '.join(CSV_COLUMNS)} "
                         f"(found: {one_line(', '.join(header)) or 'nothing'})")
    col = {name: header.index(name) for name in CSV_COLUMNS}
    times, lines = {}, {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        where = f"--submitted-at {path} line {reader.line_num}"
        if len(row) != len(header):
            raise TimesError(f"{where}: {len(row)} cells, expected {len(header)}")
        student, text = row[col["student"]].strip(), row[col["submitted_at"]].strip()
        if student in lines:
            raise TimesError(f"{where}: {one_line(student)} is already on line {lines[student]}")
        times[student], lines[student] = _time(text, where), reader.line_num
    unknown = sorted(set(times) - students)
    if unknown:
        raise TimesError(f"--submitted-at {path}: no submission has the id(s) "
                         f"{', '.join(one_line(s) for s in unknown[:20])}"
                         + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
                         + f" (line {lines[unknown[0]]})")
    return times


def _time(text, where):
    """An ISO 8601 time with an offset, as an aware datetime."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimesError(f"{where}: {one_line(text)!r} is not an ISO 8601 time "
                         "(e.g. 2026-12-01T17:05:00+01:00)") from None
    if moment.tzinfo is None:
        raise TimesError(f"{where}: {one_line(text)!r} has no offset (add +01:00, Z, ...)")
    return moment


def submission_times(subs, paths, given=None):
    """One late.SubmissionTime per submission: timestamp.txt, else given[id] (the parsed
    --submitted-at file), else the file's modification time."""
    folders = assignment_folders(subs, paths)
    given = given or {}
    times = []
    for sub in subs:
        note = ""
        if sub.student in folders:
            at, note = read_timestamp(folders[sub.student])
            if at is not None:
                times.append(SubmissionTime(at, "timestamp.txt"))
                continue
        if sub.student in given:
            times.append(SubmissionTime(given[sub.student], "--submitted-at", note))
            continue
        at = modified(sub.path)
        times.append(SubmissionTime(at, "mtime" if at else "unknown", note))
    return times
