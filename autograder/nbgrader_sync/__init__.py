"""``rnngrade nbgrader``: the sandbox's scores and feedback in an nbgrader course's gradebook.

    rnngrade nbgrader ASSIGNMENT [--course DIR] [--db URL] [--jobs N] [--execute]

sync.py grades ``DIR/submitted/*/ASSIGNMENT/`` in the sandbox and runs
nbgrader's own autograde for its bookkeeping with its kernel step replaced
by cells.SandboxScores, then writes every test cell's score through
``nbgrader.api.Gradebook``; command.py is the command line. A front end:
nothing else in the package imports it.
"""

__all__ = ["Summary", "UsageError", "sync"]


def __getattr__(name):
    # lazy: ``rnngrade``'s parser imports command.py for the options of every
    # command; sync.py loads nbgrader and nbformat (seconds), only for this one
    if name in __all__:
        from . import sync as module
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
