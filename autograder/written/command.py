"""``rnngrade written NOTEBOOK [--out PDF] [--timeout S]``.

Exit status: 0 a PDF was written (unanswered questions are named on
stdout), 1 no PDF (the reason on stderr; the HTML is still written), 2 the
file is not a notebook.
"""

import sys

from . import NotebookUnreadable, export_written


def add_arguments(parser):
    """The subcommand's arguments."""
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the student's .ipynb")
    parser.add_argument("--out", metavar="PDF", default=None,
                        help="the PDF to write (default: written_answers.pdf beside the notebook); "
                             "the HTML goes beside it")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="seconds Chromium may take to print (default: 120)")


def run(args):
    """Export, tell the user what happened; the exit status."""
    try:
        result = export_written(args.notebook, args.out, timeout=args.timeout)
    except NotebookUnreadable as exc:
        print(f"rnngrade: {exc}", file=sys.stderr)
        return 2
    print(result.message(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1
