"""The command line of ``rnngrade nbgrader`` (autograder/cli.py calls these)."""

import sys

from ..config import ConfigError
from ..textsafe import one_line


def add_arguments(parser):
    """The options of ``rnngrade nbgrader``."""
    parser.add_argument("assignment", metavar="ASSIGNMENT", help="the nbgrader assignment id")
    parser.add_argument("--course", metavar="DIR", default=".",
                        help="the nbgrader course folder (default: the current folder)")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="the gradebook's SQLAlchemy URL (default: the course's, "
                             "sqlite:///DIR/gradebook.db); PostgreSQL: postgresql+psycopg://...")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="notebooks graded at once (default: cores)")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="assignment config with the sandbox limits")
    parser.add_argument("--execute", action="store_true",
                        help="also run nbgrader's Execute step (the student's code in a Jupyter kernel on "
                             "this machine, unsandboxed) so the autograded notebooks hold the student's "
                             "outputs; the scores are the sandbox's either way")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def _say(message, stream=None):
    print(f"rnngrade: {one_line(message)}", file=stream or sys.stderr)


def run(args):
    """Run the command; the exit status (0, 1 when some student was not
    recorded or the autograder failed, 2 on misuse)."""
    from ..progress import progress_printer as _progress_printer
    from .sync import UsageError, sync
    progress = None if args.quiet else _progress_printer(sys.stderr)
    try:
        summary = sync(args.assignment, args.course, db_url=args.db, jobs=args.jobs,
                       execute=args.execute, config_file=args.config, progress=progress)
    except (UsageError, ConfigError) as exc:
        _say(exc)
        return 2
    for warning in summary.warnings:
        _say(f"warning: {warning}")
    for student, score, most, status, _ in summary.rows:
        print(f"{one_line(student, 60)}: {score:g}/{most:g} {status}")
    for student, problem in summary.problems:
        _say(f"{student}: not recorded in the gradebook: {problem}")
    recorded = len({r[0] for r in summary.rows} - {s for s, _ in summary.problems})
    print(f"recorded the sandbox's scores of {recorded} student(s) in the gradebook; "
          f"{len(summary.problems)} not recorded")
    return 1 if summary.problems else 0
