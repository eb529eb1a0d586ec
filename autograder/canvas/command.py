"""``rnngrade canvas``: the gradebook-import CSV, the unmatched summary, and the upload.

Exit status: 0 when OUT.csv (and the upload, if asked) is done, whoever is
unmatched (they are named on stderr and in OUT.unmatched.csv); 2 when the
command was misused (a missing file, a bad column name, missing upload
settings); 1 when Canvas refused or could not be reached.
"""

import os
import sys
from pathlib import Path

from ..config import ConfigError, load_config
from ..textsafe import one_line
from . import gradebook, upload
from .gradebook import CanvasError


def _say(stream):
    """A printer of one-line messages on ``stream`` (control characters made visible)."""
    def say(message):
        print(one_line(message), file=stream)
    return say


def assignment_header(name, assignment_id):
    """The assignment column's header: --assignment, else the config's name;
    ``Name (id)`` when --assignment-id is known and the name does not end
    with it yet (Canvas's import matches an existing assignment by that header)."""
    if name is None:
        try:
            name = load_config().name
        except ConfigError as exc:
            raise CanvasError(str(exc)) from None
    if assignment_id and not name.rstrip().endswith(f"({assignment_id})"):
        name = f"{name} ({assignment_id})"
    return name


def _summary(matching, out_path, err):
    """Name every unmatched student on stderr; the one-line summary."""
    for side, who, key, why in matching.unmatched:
        err(f"{side}: {who} [{key}]: {why}")
    graded = sum(r.grade is not None for r in matching.rows)
    counts = {side: sum(u[0] == side for u in matching.unmatched)
              for side in ("grades only", "roster only", "ambiguous")}
    return (f"wrote {out_path}: {graded} of {len(matching.rows)} roster students have a score; "
            f"{counts['grades only']} graded students are not in the roster, "
            f"{counts['roster only']} roster students have no grade, {counts['ambiguous']} ambiguous "
            f"(listed in {gradebook.unmatched_path(out_path)})")


def _export(args, err):
    """Write OUT.csv and OUT.unmatched.csv; the Matching."""
    for what, path in (("--grades", args.grades), ("--roster", args.roster)):
        if not Path(path).is_file():
            raise CanvasError(f"{what} {path}: no such file")
    gradebook.refuse_overwrite(args.out, args.grades, args.roster)
    header = assignment_header(args.assignment, args.assignment_id)
    matching = gradebook.match(gradebook.read_grades(args.grades),
                               gradebook.read_roster(args.roster, args.match), args.match)
    missing = 0.0 if args.missing_zero else None
    try:
        Path(args.out).write_text(gradebook.import_csv(matching, header, missing), encoding="utf-8")
        gradebook.unmatched_path(args.out).write_text(gradebook.unmatched_csv(matching), encoding="utf-8")
    except OSError as exc:
        raise CanvasError(f"--out {args.out}: cannot write it ({exc})") from None
    return matching, missing


def _post(args, matching, missing, out, err):
    """--upload / --dry-run; the exit status."""
    s = upload.settings(args.url, args.token_env, args.course, args.assignment_id, os.environ,
                        need_token=not args.dry_run)
    rows = [(r, r.grade.score if r.grade else missing) for r in matching.rows
            if r.grade is not None or missing is not None]
    folder = args.feedback or Path(args.grades).parent / "feedback"
    postings = upload.plan(rows, folder, err)
    if args.dry_run:
        upload.describe(s, postings, out)
        return 0
    try:
        failed = upload.upload(s, postings, out, err)
    except upload.UploadFailed as exc:
        err(f"rnngrade: Canvas: {exc}")
        return 1
    out(f"posted to Canvas: {len(postings) - failed} students, {failed} failed")
    return 1 if failed else 0


def run(args):
    """The command; its exit status."""
    out, err = _say(sys.stdout), _say(sys.stderr)
    try:
        matching, missing = _export(args, err)
        out(_summary(matching, args.out, err))
        if args.upload or args.dry_run:
            return _post(args, matching, missing, out, err)
    except CanvasError as exc:
        err(f"rnngrade: {exc}")
        return 2
    return 0


def add_arguments(p):
    """The options of ``rnngrade canvas`` (on the subparser ``p``)."""
    p.add_argument("--grades", required=True, metavar="CSV", help="grades.csv from rnngrade grade --out")
    p.add_argument("--roster", required=True, metavar="CSV", help="the gradebook CSV Canvas exports")
    p.add_argument("--out", required=True, metavar="CSV", help="the gradebook-import CSV to write")
    p.add_argument("--assignment", metavar="NAME", default=None,
                   help="the assignment column's header (default: the config's name, with "
                        "' (ID)' when --assignment-id is given; Canvas matches 'Name (id)')")
    p.add_argument("--match", metavar="COLUMN", default=gradebook.DEFAULT_MATCH,
                   help="roster column holding our student ids (default: SIS Login ID)")
    p.add_argument("--missing-zero", action="store_true",
                   help="give roster students without a grade 0 (default: an empty cell)")
    p.add_argument("--upload", action="store_true", help="post scores and feedback with the Canvas API")
    p.add_argument("--dry-run", action="store_true", help="print what --upload would send; send nothing")
    p.add_argument("--course", metavar="ID", help="Canvas course id (for --upload)")
    p.add_argument("--assignment-id", metavar="ID", help="Canvas assignment id (for --upload)")
    p.add_argument("--url", metavar="URL", help="Canvas address, e.g. https://canvas.example.edu "
                                                "(default: $CANVAS_API_URL)")
    p.add_argument("--token-env", metavar="VAR", default="CANVAS_API_TOKEN",
                   help="environment variable holding the API token (default: CANVAS_API_TOKEN)")
    p.add_argument("--feedback", metavar="DIR", default=None,
                   help="feedback folder with index.csv (default: feedback/ beside --grades)")
