"""``rnngrade nbgrader``: the sandbox's scores and feedback in an nbgrader course's gradebook.

    rnngrade nbgrader ASSIGNMENT [--course DIR] [--db URL] [--jobs N] [--execute]

sync.py grades ``DIR/submitted/*/ASSIGNMENT/`` in the sandbox and runs
nbgrader's own autograde for its bookkeeping with its kernel step replaced
by cells.SandboxScores, then writes every test cell's score through
``nbgrader.api.Gradebook``; command.py is the command line. A front end:
nothing else in the package imports it.
"""

from .sync import Summary, UsageError, sync

__all__ = ["Summary", "UsageError", "sync"]
