"""Cells a platform put in the notebook, not the student: not run when grading.

A release notebook carries cells that belong to the platform it came from:

- our public checks (``from rnn_checks import check`` / ``check("q1", globals())``):
  the rnn_checks bundle is not there when grading, and they grade nothing;
  likewise the otter release's written-answers export (``from rnn_written
  import export_pdf`` / ``export_pdf(...)``);
- otter's (``import otter`` / ``grader = otter.Notebook(...)``,
  ``grader.check("q1")``, ``grader.check_all()``, ``grader.export(...)``):
  importing otter costs seconds, and export would zip and test the notebook;
- nbgrader's test cells (metadata ``nbgrader.grade`` without ``solution``):
  the instructor's locked tests, whose visible part is the public check.

Run in the sandbox they only cost time and leave notes such as "cell 1
raised FileNotFoundError" in every student's feedback. Skipping them gives
a student nothing: a cell disguised as scaffolding just does not run.
Only small cells are looked at (a pattern on a few lines, no parsing).
"""

import re

MAX_SCAFFOLD_CHARS = 2000
_COMMENT = r"(?:\s*#[^\n]*\n)*"
PUBLIC_CHECK_CELL = re.compile(_COMMENT + r"\s*from rnn_checks import (?:check|check_all)\s*\n"
                               r"\s*check(?:_all)?\(\s*(?:[\"']q\d[\"']\s*,\s*)?globals\(\)\s*\)[\s;]*")
WRITTEN_EXPORT_CELL = re.compile(_COMMENT + r"\s*from rnn_written import export_pdf\s*\n"   # autograder/written
                                 r"\s*export_pdf\([^\n()]*\)[\s;]*")
OTTER_INIT_CELL = re.compile(_COMMENT + r"\s*import otter\s*\n\s*grader\s*=\s*otter\.Notebook\([^\n()]*\)[\s;]*")
_OTTER_CALL_LINE = re.compile(r"\s*(?:#[^\n]*|grader\.(?:check|check_all|export|run_plugin)\([^\n]*\)\s*;?)?\s*")


def is_scaffolding(cell):
    """Is this notebook cell (a dict with cell_type, source, metadata) a platform's, not the student's?"""
    source = cell.get("source")
    if cell.get("cell_type") != "code" or not isinstance(source, str):
        return False
    nbgrader = (cell.get("metadata") or {}).get("nbgrader")
    if isinstance(nbgrader, dict) and nbgrader.get("grade") is True and not nbgrader.get("solution"):
        return True
    if len(source) > MAX_SCAFFOLD_CHARS or not source.strip():
        return False
    if any(p.fullmatch(source) for p in (PUBLIC_CHECK_CELL, OTTER_INIT_CELL, WRITTEN_EXPORT_CELL)):
        return True
    lines = source.split("\n")
    return ("grader." in source and all(_OTTER_CALL_LINE.fullmatch(line) for line in lines))
