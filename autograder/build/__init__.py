"""``rnngrade build``: the student notebook and the executed answer key, per language.

    build(out, langs=("en", "zh"))

writes, for each language,

    out/<lang>/student/rnn_gradients.ipynb    stubs, not executed (the seed of
                                              the otter and nbgrader releases)
    out/<lang>/solution/rnn_gradients.ipynb   the answer key, executed with
                                              nbclient + ipykernel
    out/<lang>/{student,solution}/rnn_checks/ the public checks the notebooks'
                                              check cells import (autograder/public)
    out/<lang>/nbgrader/                      an nbgrader course folder (nbgrader_release.py)
    out/<lang>/otter/                         otter assign's release (otter_release.py)
    out/<lang>/gradescope/autograder.zip      the hardened Gradescope autograder
                                              (gradescope_zip.py)

from one source, ``assignments/rnn_gradients/notebook/rnn_gradients.md``
(format: autograder/build/source.py). Code is written once; prose exists in
every language; function cells come from solutions/ at build time
(autograder/build/code.py). Building twice gives the same bytes.
"""

import tempfile
from pathlib import Path

from . import nbgrader_release, notebook, otter_release, source
from .source import LANGUAGES, SourceError
from .. import public

DEFAULT_SOURCE = (Path(__file__).resolve().parent.parent.parent
                  / "assignments" / "rnn_gradients" / "notebook" / "rnn_gradients.md")
NOTEBOOK_NAME = "rnn_gradients.ipynb"
VARIANTS = ("student", "solution")
RELEASES = ("nbgrader", "otter", "gradescope")

__all__ = ["build", "build_notebooks", "DEFAULT_SOURCE", "LANGUAGES", "SourceError",
           "ExecutionFailed"]


class ExecutionFailed(RuntimeError):
    """The solution notebook raised while it was executed; the message names
    the language and the cell."""


def build_notebooks(lang, source_path=DEFAULT_SOURCE):
    """{variant: notebook} of one language, not executed."""
    blocks = source.read(source_path)
    return {variant: notebook.build_notebook(blocks, lang, variant) for variant in VARIANTS}


def build(out, langs=LANGUAGES, source_path=DEFAULT_SOURCE, execute=True, log=None, releases=RELEASES):
    """Write the student and solution notebooks of each language under out,
    and the platform releases.

    Inputs:
    - out: output folder (made if missing)
    - langs: languages to build, a subset of LANGUAGES
    - execute: run the solution notebook (False only for quick checks)
    - log: a function taking one line of progress, or None
    - releases: which of RELEASES to build ("nbgrader", "otter", "gradescope");
      () for the notebooks alone (tests that need only them)

    Returns the list of Paths written. Raises SourceError for a bad source
    and ExecutionFailed when the answer key's notebook raises.
    """
    from nbclient.exceptions import CellExecutionError

    out = Path(out)
    written = []
    for lang in langs:
        books = build_notebooks(lang, source_path)
        if execute:
            with tempfile.TemporaryDirectory(prefix="rnngrade-build-") as cwd:
                public.write_bundle(cwd)                   # the check cells import it
                try:
                    notebook.execute(books["solution"], cwd)
                except CellExecutionError as exc:
                    raise ExecutionFailed(f"the {lang} solution notebook failed: "
                                          f"{exc.ename}: {exc.evalue}") from exc
        for variant in VARIANTS:
            path = notebook.write(books[variant], out / lang / variant / NOTEBOOK_NAME)
            written.append(path)
            written += public.write_bundle(path.parent)
            if log is not None:
                log(f"wrote {path}")
        if "nbgrader" in releases:
            written += nbgrader_release.build_nbgrader(lang, out / lang / "nbgrader", source_path, log)
        if "otter" in releases:
            written += otter_release.build_otter(lang, out / lang / "otter", books, log=log)
    if "gradescope" in releases:
        written += _gradescope(out, langs, log)
    return written


def _gradescope(out, langs, log):
    """The hardened Gradescope zip (gradescope_zip.py), the same bytes in every language's folder."""
    import shutil

    from .gradescope_zip import build_gradescope

    paths = []
    for lang in langs:
        if not paths:
            paths.append(build_gradescope(out / lang / "gradescope"))
        else:
            (out / lang / "gradescope").mkdir(parents=True, exist_ok=True)
            paths.append(Path(shutil.copyfile(paths[0], out / lang / "gradescope" / paths[0].name)))
        if log is not None:
            log(f"wrote {paths[-1]}")
    return paths
