"""Parent side: read and validate a submission file without running it.

A .py file becomes one code "cell"; a .ipynb notebook is read as JSON and
validated with nbformat's reader and schema (bounded work; the launcher
runs it while the child starts, see schema_failure). Its code cells go to
the child as they are: the child converts a cell that
is not plain Python with IPython's TransformerManager (``to_python``, which
turns magics and shell escapes into get_ipython() calls the worker's stub
ignores) under the load time limit, since that conversion can take minutes
for a large notebook. Nothing here executes submission code.

The file is opened without following a symbolic link and without blocking
(a FIFO), checked to be a regular file, and read up to the size cap only.
"""

import contextlib
import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .scaffold import PUBLIC_CHECK_CELL, is_scaffolding  # noqa: F401  (PUBLIC_CHECK_CELL: tests)

# cell magics whose body is ordinary Python: run the body, drop the magic
TRANSPARENT_CELL_MAGICS = {"time", "timeit", "capture", "prun"}


@dataclass
class Submission:
    """A submission read from disk.

    - ok / reason: whether it can be run at all, and why not
    - kind: "py" or "ipynb"
    - cells: [(cell number, python source)], in order
    - module_name: __name__ while it runs ("submission" for a .py file, so
      a main guard does not run; "__main__" for a notebook, as in Jupyter)
    - notes: remarks for the student found while reading
    - schema_text: a notebook read with validate=False whose schema check is
      still to do (schema_failure); None once done or when there is none
    """
    ok: bool
    reason: str = ""
    kind: str = ""
    cells: list = field(default_factory=list)
    module_name: str = ""
    notes: list = field(default_factory=list)
    schema_text: str = field(default=None, repr=False)


def _fail(reason):
    return Submission(ok=False, reason=reason)


def read_submission(path, max_bytes=16 * 1024 * 1024, identity=(), validate=True):
    """Read a .py or .ipynb submission; never raises for a bad file.

    validate=False leaves a notebook's schema check (nbformat: about 0.1 s of
    imports in a fresh process) to ``schema_failure(sub)``, so that the
    launcher can run it while the child starts.

    identity: (st_dev, st_ino) the opened file must have (the file that was
    listed), checked on the open descriptor, so a folder above it swapped for
    a link after listing cannot make the grader read another file."""
    path = Path(path)
    suffix = path.suffix.lower()
    what = {".py": "Python file", ".ipynb": "notebook"}.get(suffix)
    if what is None:
        return _fail(f"{path.name} is not a .py file or a .ipynb notebook.")
    data = _read_capped(path, what, max_bytes, identity)
    if isinstance(data, Submission):
        return data
    if len(data) > max_bytes:
        size = f"{max_bytes // (1 << 20)} MiB" if max_bytes % (1 << 20) == 0 else f"{max_bytes} bytes"
        return _fail(f"The {what} is larger than {size}.")
    if not data.strip():
        return _fail(f"The {what} is empty.")
    if b"\x00" in data:
        return _fail(f"The {what} is binary data, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _fail(f"The {what} is not UTF-8 text (invalid byte at position {exc.start}).")
    if suffix == ".py":
        return Submission(ok=True, kind="py", cells=[(1, text)], module_name="submission")
    return _read_notebook(text, validate)


# Notebooks with more cells skip nbformat's schema check (see _read_notebook);
# a student's notebook has a few hundred at most.
MAX_VALIDATED_CELLS = 2000

_NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class NotRegular(Exception):
    """The path is not a regular file (a FIFO, a folder, a device...); args: its st_mode."""


class NotListed(Exception):
    """The file opened is not the one that was listed (its (st_dev, st_ino) differ)."""


@contextlib.contextmanager
def open_listed(path, identity=()):
    """A read-only descriptor of a regular file, never following a link (the last
    component) nor blocking on a FIFO; identity: (st_dev, st_ino) it must have, checked
    on the descriptor. Raises OSError, NotRegular or NotListed."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(info.st_mode)
        if identity and (info.st_dev, info.st_ino) != tuple(identity):
            raise NotListed()
        yield fd
    finally:
        os.close(fd)


def read_upto(fd, limit, chunk=1 << 20):
    """Yield the bytes of fd in chunks, at most limit bytes in all."""
    while limit > 0:
        data = os.read(fd, min(limit, chunk))
        if not data:
            return
        limit -= len(data)
        yield data


def _read_capped(path, what, max_bytes, identity=()):
    """At most max_bytes + 1 bytes of the file (open_listed); a failed Submission
    instead when it cannot be read."""
    try:
        with open_listed(path, identity) as fd:
            return b"".join(read_upto(fd, max_bytes + 1))
    except NotRegular as exc:
        kind = next((name for test, name in _NOT_REGULAR if test(exc.args[0])), "a special file")
        return _fail(f"{path.name} is {kind}, not a regular file.")
    except NotListed:
        return _fail(f"{path.name} is not the file that was listed (it, or a folder above it, "
                     "was replaced after the batch started); it was not read.")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _fail(f"{path.name} is a symbolic link; links are not followed.")
        if exc.errno == errno.ENOENT:
            return _fail(f"{path.name} is not a regular file (it does not exist).")
        return _fail(f"The {what} could not be read ({exc.strerror or type(exc).__name__}).")


def _import_nbformat():
    """nbformat, without the 1.8 s that jsonschema spends importing rfc3987_syntax.

    jsonschema imports rfc3987_syntax only to check the "iri" string format,
    which the notebook schema never uses, and skips it when the import
    fails; a None in sys.modules makes it fail, for this one import only.
    """
    import sys

    if "nbformat" in sys.modules or "rfc3987_syntax" in sys.modules:
        import nbformat
        return nbformat
    sys.modules["rfc3987_syntax"] = None
    try:
        import nbformat
    finally:
        del sys.modules["rfc3987_syntax"]
    return nbformat


def _read_notebook(text, validate=True):
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        detail = f" (line {exc.lineno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        return _fail(f"The notebook is not valid JSON{detail}.")
    if not isinstance(raw, dict) or not isinstance(raw.get("nbformat"), int) \
            or isinstance(raw.get("nbformat"), bool):
        return _fail("The notebook does not follow the Jupyter notebook format "
                     "(no 'nbformat' version number at the top level).")
    raw_cells = raw.get("cells")
    if not isinstance(raw_cells, list) or not all(isinstance(c, dict) for c in raw_cells):
        return _fail("The notebook does not follow the Jupyter notebook format "
                     "('cells' is not a list of cells).")
    notes = []
    if len(raw_cells) > MAX_VALIDATED_CELLS:
        # the schema check costs the grading process about 45 ms per 1,000 cells:
        # past a real notebook's size only what grading needs is checked
        notes.append(f"The notebook has {len(raw_cells)} cells; only their structure was checked.")
    metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    lang = (metadata.get("kernelspec") or {}).get("language") \
        or (metadata.get("language_info") or {}).get("name")
    if isinstance(lang, str) and lang.lower() not in ("python", "python3", ""):
        notes.append(f"The notebook's kernel language is {lang!r}; its cells were run as Python.")
    # A notebook that passes the schema check has these cells exactly as nbformat
    # reads them (version 4: sources joined, nothing else changed), so the cells can
    # go to the child before the check, which then runs while the child starts.
    cells = []
    for number, raw_cell in enumerate(raw_cells, 1):
        cell = {"cell_type": raw_cell.get("cell_type"), "source": _joined(raw_cell.get("source")),
                "metadata": raw_cell.get("metadata") if isinstance(raw_cell.get("metadata"), dict) else {}}
        if cell["cell_type"] == "code" and not is_scaffolding(cell):    # a platform's cell (scaffold.py)
            cells.append((number, cell["source"]))     # converted in the child (worker.parse)
    if not cells:
        notes.append("The notebook has no code cells.")
    sub = Submission(ok=True, kind="ipynb", cells=cells, module_name="__main__", notes=notes)
    if len(raw_cells) <= MAX_VALIDATED_CELLS:
        sub.schema_text = text
        if validate:
            return schema_failure(sub) or sub
    return sub


def schema_failure(sub):
    """The failed Submission when a notebook read with ``validate=False`` does not
    follow the Jupyter notebook format (nbformat's reader and schema), else None."""
    text, sub.schema_text = sub.schema_text, None
    if text is None:
        return None
    nbformat = _import_nbformat()
    errors = {}
    try:
        nb = nbformat.reads(text, as_version=4, capture_validation_error=errors)
        problem = errors.get("ValidationError")
        if problem is None:
            nbformat.validate(nb)
    except Exception as exc:   # nbformat raises many types for malformed input
        problem = exc
    if problem is None:
        return None
    return _fail("The notebook does not follow the Jupyter notebook format: "
                 + _schema_detail(json.loads(text), problem) + ".")


def _joined(source):
    """A cell's source as one string ("" when it is neither a string nor a list of strings)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return ""


def _schema_detail(raw, problem):
    """A short description of what is wrong with a notebook."""
    try:
        from nbformat.validator import get_validator
        validator = get_validator(version=raw["nbformat"],
                                  version_minor=raw.get("nbformat_minor", 0))
        for err in validator.iter_errors(raw):
            if "'id' is a required property" in err.message:
                continue      # nbformat adds missing cell ids itself
            where = "/".join(str(p) for p in getattr(err, "absolute_path", ()) or ())
            return _short(err.message) + (f" (at {where})" if where else "")
    except Exception:
        pass
    text = getattr(problem, "message", None) or str(problem) or type(problem).__name__
    return _short(text)


def _short(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


_manager = None


def to_python(source):
    """Plain Python for one notebook code cell (IPython syntax converted).
    Runs in the child (worker.parse), under the load time limit."""
    global _manager
    lines = source.splitlines(True)
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        if magic in TRANSPARENT_CELL_MAGICS:
            source = "".join(lines[1:])
    if _manager is None:
        from IPython.core.inputtransformer2 import TransformerManager
        _manager = TransformerManager()
    try:
        return _manager.transform_cell(source)
    except Exception:     # leave it to the child's compile() to report
        return source
