"""The text the similarity report compares: each student's code, and the starter code.

Nothing here runs a submission. A file is read as discovery listed it
(never through a link, never past the size cap, its device and inode
checked on the open descriptor) by the grader's own reader,
``autograder.sandbox.notebook.read_submission``, which parses a notebook's
JSON and keeps its code cells; a .py file is one cell, as it is.
"""

import functools
import re

from ..sandbox.notebook import read_submission


@functools.cache
def starter_code():
    """Every piece of code a student is given: the code cells of the student
    notebook in each language (its given cells and stubs, built in memory,
    not executed) and the stub module of autograder/submissions.py.
    Returns a tuple of source texts, each notebook's code cells joined as a
    submission's are (read_code), so the joins are starter code too."""
    from .. import build
    from ..submissions import stub_source

    pieces = []
    for lang in build.LANGUAGES:
        student = build.build_notebooks(lang)["student"]
        pieces.append(joined([cell.source for cell in student.cells if cell.cell_type == "code"]))
    pieces.append(space_matmul(stub_source()))
    return tuple(dict.fromkeys(pieces))          # each distinct piece once, in order


def read_code(sub, max_bytes):
    """(code, "") for a discovered submission, or ("", reason) when it cannot
    be read: a link or special file (discovery's problem), a file over
    max_bytes, a broken notebook, bytes that are not UTF-8 text.
    The code is the notebook's code cells joined by blank lines."""
    if sub.problem:
        return "", sub.problem
    read = read_submission(sub.path, max_bytes=max_bytes, identity=sub.ident)
    if not read.ok:
        return "", read.reason
    return joined([source for _, source in read.cells]), ""


def joined(cells):
    """A notebook's code cells as one text (space_matmul applied)."""
    return space_matmul("\n\n".join(cells))


_GLUED_AT = re.compile(r"^([ \t]*)(\S.*)$", re.M)
_AT_NAME = re.compile(r"@(?=[^\W\d])")


def space_matmul(text):
    """The text with a space after every ``@`` that is glued to a name and is not
    the first character of its line (a decorator). copydetect's tokenizer
    (pygments) reads ``a @b`` and ``a@b`` as a decorator ``@b``, so ``a @ b``
    and ``a@b`` would otherwise differ: whitespace alone would hide a copy."""
    def fix(match):
        indent, rest = match.groups()
        return indent + rest[0] + _AT_NAME.sub("@ ", rest[1:])
    return _GLUED_AT.sub(fix, text)
