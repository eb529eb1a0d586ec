"""The ``rnngrade`` command.

    rnngrade grade PATH... [--out DIR] [--jobs N] [--json] [--config FILE] [--quiet]
                   [--submitted-at FILE.csv] [--student ID]

PATH is a .py or .ipynb submission, or a folder of them (nbgrader's
submitted/<student>/<assignment>/ layout is recognised; links are never
followed: autograder/discovery.py). Every submission gets a row. The exit
status is 0 unless the command was misused (2: a PATH that does not exist,
nothing to grade, a bad config) or the autograder itself failed on some
submission (1). With a due date in the config, scores carry the late
penalty (autograder/late.py; times: autograder/submit_times.py); --student
regrades one student in an earlier run's DIR (autograder/regrade.py).
"""

import argparse
import os
import sys

from . import batch, late, report
from .config import ConfigError, load_config
from .grading import public
from .progress import progress_printer as _progress_printer
from .textsafe import one_line

def _error(message):
    """``rnngrade: <message>`` on stderr, as one line: a path or an id in it
    (from a file name: any characters) shows its control characters as
    visible escapes."""
    print(f"rnngrade: {one_line(message)}", file=sys.stderr)


def _given_times(args, config, subs):
    """The --submitted-at file's times (id -> datetime), or None without one."""
    from .submit_times import TimesError, read_submitted_at
    if args.submitted_at is None:
        return None
    if config.late.due is None:
        raise TimesError("--submitted-at needs a due date (\"due\") in the assignment config")
    return read_submitted_at(args.submitted_at, [s.student for s in subs])


def _grade_all(args, config, subs, given, progress):
    """Grade every submission (resuming from DIR's cache), apply the late penalty, write DIR."""
    from .submit_times import submission_times
    results = batch.grade_batch(subs, jobs=args.jobs, out_dir=args.out, limits=config.limits,
                                progress=progress)
    times = submission_times(subs, args.paths, given) if config.late.due is not None else None
    results = late.Penalised(results, config.late, times)
    if args.out:
        report.write_outputs(args.out, results)
    return results


def cmd_grade(args):
    from .regrade import RegradeError, regrade_student
    from .submit_times import TimesError
    if args.student is not None and not args.out:
        _error("--student needs --out DIR: the folder of an earlier run, where that student's row is updated")
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        _error(exc)
        return 2
    try:
        subs = batch.discover(args.paths)
    except batch.DiscoveryError as exc:               # a typo in a PATH: nothing is graded
        _error(exc)
        return 2
    if not subs:
        _error("no submissions found")
        return 2
    for sub in subs:
        if sub.renamed:                                # the table shows the id, not the real name
            _error(sub.renamed)
    progress = None if args.quiet else _progress_printer(sys.stderr)
    try:
        given = _given_times(args, config, subs)
        if args.student is not None:
            results = [regrade_student(args.out, subs, args.student, config, args.paths, given, progress)]
        else:
            results = _grade_all(args, config, subs, given, progress)
    except (TimesError, RegradeError) as exc:
        _error(exc)
        return 2
    if args.json:
        batch.write_document(sys.stdout, (public(r) for r in results), report.json_text)
    else:
        print(report.table(results))
        if args.student is not None:
            print(f"updated {one_line(args.student)}'s row of {os.path.join(args.out, 'grades.csv')} and their files")
        elif args.out:
            print(f"wrote {os.path.join(args.out, 'grades.csv')} and feedback for each student")
    return 1 if any(r.get("internal_error") for r in results) else 0


def cmd_similarity(args):
    """Pairwise similarity of the students' code, starter code removed (autograder/similarity/)."""
    from . import similarity
    try:
        doc = similarity.run(args.paths, args.out, args.threshold, args.config)
    except (batch.DiscoveryError, ConfigError, similarity.UsageError) as exc:
        _error(exc)
        return 2
    print(f"{sum(p['flagged'] for p in doc['pairs'])} pair(s) flagged at {doc['threshold']:g}; "
          f"{len(doc['skipped'])} skipped; wrote {os.path.join(args.out, 'similarity.json')} and .html")
    return 0


def cmd_build(args):
    """Build the student and solution notebooks (autograder/build/)."""
    from . import build
    langs = build.LANGUAGES if args.lang == "all" else (args.lang,)
    try:
        build.build(args.out, langs=langs, log=print)
    except build.SourceError as exc:
        _error(f"notebook source: {exc}")
        return 2
    except build.ExecutionFailed as exc:
        _error(exc)
        return 1
    return 0


def cmd_canvas(args):
    """Canvas gradebook-import CSV, and --upload with canvasapi (autograder/canvas/)."""
    from .canvas import command
    return command.run(args)


def cmd_nbgrader(args):
    """Sandboxed scores into an nbgrader course's gradebook (autograder/nbgrader_sync/)."""
    from .nbgrader_sync import command
    return command.run(args)


def cmd_written(args):
    """A notebook's written answers as HTML and a PDF (autograder/written/)."""
    from .written import command
    return command.run(args)


def build_parser():
    parser = argparse.ArgumentParser(prog="rnngrade", description="Grade the RNN-gradients assignment.",
                                     epilog="The contract (names, shapes, question ids, commands, JSON): docs/CONTRACT.md")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade submissions (.py, .ipynb or folders of them)")
    g.add_argument("paths", nargs="+", metavar="PATH")
    g.add_argument("--out", metavar="DIR", help="write grades.csv, feedback and Gradescope results here")
    g.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel submissions (default: cores)")
    g.add_argument("--json", action="store_true", help="print the JSON document of docs/CONTRACT.md to stdout")
    g.add_argument("--quiet", action="store_true", help="no progress lines")
    g.add_argument("--config", metavar="FILE", default=None,
                   help="assignment config with the sandbox limits (default: "
                        "assignments/rnn_gradients/assignment.json)")
    g.add_argument("--submitted-at", metavar="FILE.csv", default=None,
                   help="submission times (columns student,submitted_at: ISO 8601 with an offset) for the "
                        "late penalty, where nbgrader's timestamp.txt is absent (else: the file's mtime)")
    g.add_argument("--student", metavar="ID", default=None,
                   help="regrade only this student and update their row and files in --out DIR in place")
    g.set_defaults(func=cmd_grade)
    s = sub.add_parser("similarity", help="pairwise similarity of the students' code (starter code removed)")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--out", metavar="DIR", required=True, help="write similarity.json and similarity.html here")
    s.add_argument("--threshold", type=float, default=None, metavar="T", help="flag pairs scoring T or more")
    s.add_argument("--config", metavar="FILE", default=None, help="assignment config (its submission size limit)")
    s.set_defaults(func=cmd_similarity)
    b = sub.add_parser("build", help="build the student and solution notebooks (en, zh)")
    b.add_argument("--out", metavar="DIR", default="build", help="output folder (default: build)")
    b.add_argument("--lang", choices=("en", "zh", "all"), default="all", help="language (default: all)")
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("canvas", help="Canvas gradebook-import CSV from grades.csv and the roster; --upload")
    from .canvas.command import add_arguments
    add_arguments(c)
    c.set_defaults(func=cmd_canvas)
    n = sub.add_parser("nbgrader", help="grade an nbgrader course's submissions in the sandbox; scores into its gradebook")
    from .nbgrader_sync.command import add_arguments as nbgrader_arguments
    nbgrader_arguments(n)
    n.set_defaults(func=cmd_nbgrader)
    w = sub.add_parser("written", help="a notebook's written answers as a PDF (Chromium, no LaTeX) and HTML")
    from .written.command import add_arguments as written_arguments
    written_arguments(w)
    w.set_defaults(func=cmd_written)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        _error("--jobs must be at least 1")
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
