"""Post scores and feedback to Canvas with the ``canvasapi`` client.

For each roster student with a grade, the Canvas user id is the roster's
``ID`` column (Canvas's export puts the Canvas user id there; no request
for the course's users is made). Per student:

    GET /api/v1/courses/:course/assignments/:assignment/submissions/:user?include[]=submission_comments
    PUT /api/v1/courses/:course/assignments/:assignment/submissions/:user
        submission[posted_grade]=<score>  comment[text_comment]=<feedback>

after one ``GET /api/v1/courses/:course`` and one
``GET /api/v1/courses/:course/assignments/:assignment``. The comment is the
student's feedback/<file>.md (file from feedback/index.csv) followed by a
marker line holding a hash of that text. A re-run sends no comment whose
marker is already on the submission, no grade equal to the one entered,
and no PUT at all when neither changed. The token is read from an
environment variable and never printed; it is sent only over HTTPS (plain
HTTP only to this machine's loopback address, for tests).
"""

import csv
import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..reports.tables import number, read_csv_cell
from ..textsafe import one_line
from .gradebook import CanvasError

MARKER = "rnngrade feedback"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Settings:
    """Where to post: Canvas's base URL, the token, the course and assignment ids."""
    url: str
    token: str | None
    course: str
    assignment: str


@dataclass(frozen=True)
class Posting:
    """What is sent for one student."""
    student: str                # our id
    user_id: str                # Canvas user id (the roster's ID)
    grade: str                  # posted_grade
    comment: str | None         # the comment text, marker line included
    source: str | None          # the feedback file it came from


def _is_id(text):
    """Whether ``text`` is a Canvas id: ASCII digits only."""
    return text.isascii() and text.isdigit()


def marker(body):
    """The marker line that identifies a comment's text (a hash of it)."""
    return f"[{MARKER} {hashlib.sha256(body.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}]"


def comment_text(body):
    """The comment posted: the feedback, then its marker line."""
    return f"{body.rstrip()}\n\n{marker(body)}"


def settings(url, token_env, course, assignment, environ, need_token=True):
    """Settings from the options and the environment; CanvasError saying what is missing."""
    url = (url or environ.get("CANVAS_API_URL", "")).strip()
    token = environ.get(token_env, "").strip() or None
    missing = [what for what, value in (("--url or CANVAS_API_URL", url), ("--course", course),
                                        ("--assignment-id", assignment)) if not value]
    if need_token and not token:
        missing.append(f"the token in the environment variable {token_env}")
    if missing:
        raise CanvasError("--upload needs " + ", ".join(missing))
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CanvasError(f"--url {url!r} is not an https:// address of a Canvas server")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise CanvasError(f"--url {url!r}: the token would travel unencrypted; use https://")
    if "/api/v1" in url:
        raise CanvasError(f"--url {url!r}: give the server's address without /api/v1")
    for what, value in (("--course", course), ("--assignment-id", assignment)):
        if not _is_id(str(value)):
            raise CanvasError(f"{what} {value!r} is not a Canvas id (a number)")
    return Settings(url.rstrip("/"), token, str(course), str(assignment))


def _feedback_index(folder, warn):
    """student id -> feedback file name, from folder/index.csv (None, with one warning, when absent)."""
    try:
        with open(Path(folder) / "index.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        warn(f"no feedback index {Path(folder) / 'index.csv'} ({exc}): scores are posted without comments")
        return None
    return {read_csv_cell(r.get("student") or ""): read_csv_cell(r.get("file") or "") for r in rows}


def _feedback(folder, name, student, warn):
    """(text, file) of one student's feedback/<name>.md, or (None, None) with a warning."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        warn(f"{one_line(student)}: no feedback file in the index: score posted without a comment")
        return None, None
    path = Path(folder) / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        warn(f"{one_line(student)}: cannot read {path} ({exc}): score posted without a comment")
        return None, None


def plan(rows, feedback_folder, warn):
    """[Posting] for every roster row with a score (the rows of OUT.csv)."""
    index = _feedback_index(feedback_folder, warn)
    postings = []
    for row, score in rows:
        user_id = row.cells["ID"]
        student = row.grade.student if row.grade else row.cells["Student"]
        if not _is_id(user_id):
            warn(f"{one_line(student)}: roster ID {user_id!r} is not a Canvas user id: nothing posted")
            continue
        body, source = (_feedback(feedback_folder, index.get(row.grade.student), student, warn)
                        if row.grade and index is not None else (None, None))
        postings.append(Posting(student, user_id, number(score),
                                comment_text(body) if body is not None else None, source))
    return postings


def describe(s, postings, out):
    """The dry run: every request that would be sent, and nothing sent."""
    base = f"{s.url}/api/v1/courses/{s.course}/assignments/{s.assignment}/submissions"
    out(f"dry run: nothing is sent to Canvas ({len(postings)} students)")
    for p in postings:
        comment = (f"comment[text_comment]=<{p.source}, {len(p.comment)} characters, "
                   f"{p.comment.splitlines()[-1]}> unless already posted" if p.comment else "no comment")
        out(f"would PUT {base}/{p.user_id} for {one_line(p.student)}: "
            f"submission[posted_grade]={p.grade}, {comment}")


def _entered(submission):
    """The score entered on a submission (before Canvas's late policy), or None."""
    for attr in ("entered_score", "score"):
        value = getattr(submission, attr, None)
        if value is not None:
            return float(value)
    return None


def _changes(submission, p):
    """The PUT parameters still needed on this submission ({}: none)."""
    changes = {}
    if _entered(submission) != float(p.grade):
        changes["submission"] = {"posted_grade": p.grade}
    if p.comment:
        mark = p.comment.splitlines()[-1]
        posted = getattr(submission, "submission_comments", None) or []
        if not any(mark in (c.get("comment") or "") for c in posted if isinstance(c, dict)):
            changes["comment"] = {"text_comment": p.comment}
    return changes


def _connect(s):
    """The canvasapi Assignment (one GET of the course, one of the assignment)."""
    from canvasapi import Canvas

    with warnings.catch_warnings():          # its "use HTTPS" warning: http reaches only loopback here
        warnings.simplefilter("ignore", UserWarning)
        canvas = Canvas(s.url, s.token)
    return canvas.get_course(int(s.course)).get_assignment(int(s.assignment))


def upload(s, postings, out, warn):
    """Send the postings; the number of students whose request failed (each named by warn)."""
    from canvasapi.exceptions import CanvasException
    from requests import RequestException

    try:
        assignment = _connect(s)
    except (CanvasException, RequestException) as exc:
        raise UploadFailed(f"course {s.course}, assignment {s.assignment} at {s.url}: "
                           f"{one_line(str(exc), 300)}") from None
    failed = 0
    for p in postings:
        try:
            submission = assignment.get_submission(int(p.user_id), include=["submission_comments"])
            changes = _changes(submission, p)
            if changes:
                submission.edit(**changes)
        except (CanvasException, RequestException) as exc:
            warn(f"{one_line(p.student)} (Canvas user {p.user_id}): not posted: {one_line(str(exc), 300)}")
            failed += 1
            continue
        sent = " and ".join(k.replace("submission", "grade") for k in changes) or "nothing new"
        out(f"{one_line(p.student)} (Canvas user {p.user_id}): {p.grade}: sent {sent}")
    return failed


class UploadFailed(RuntimeError):
    """Canvas refused the course or the assignment (or could not be reached)."""
