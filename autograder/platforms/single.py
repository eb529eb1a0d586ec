"""One student's upload, as a grading platform hands it over: a folder.

Gradescope puts the upload in ``/autograder/submission/`` and PrairieLearn
in ``/grade/student/``, under whatever names the student chose. The rule,
the same on both:

- exactly one notebook (``.ipynb``) anywhere in the folder: it is graded;
  any ``.py`` files beside it are ignored, with a note saying so;
- no notebook and exactly one ``.py`` file: it is graded;
- nothing to grade, or several notebooks (or several ``.py`` files and no
  notebook): a zero result whose reason names what was found and what to
  upload, never a crash.

The file is found with the batch's discovery (links never followed,
special files refused) and graded in the sandbox by ``batch.grade_one``,
exactly as ``rnngrade grade`` grades it.

A platform grades one upload per fresh process, so its start-up is on the
student's wait: the entry points call ``start_child`` before the grading
modules load (they are imported inside the functions that use them), and
the child's Python start-up overlaps their import.
"""

import dataclasses
import re
from pathlib import Path

from ..discovery import discover
from ..spec import QUESTIONS

STUDENT = "submission"
_TITLES = {q.id: q.title for q in QUESTIONS}
UPLOAD_HINT = "upload exactly one notebook (.ipynb) or one Python file (.py)"


def _names(subs, folder):
    shown = []
    for sub in subs:
        try:
            shown.append(str(Path(sub.path).relative_to(folder)))
        except ValueError:
            shown.append(Path(sub.path).name)
    return ", ".join(sorted(shown))


def choose(folder):
    """(the Submission to grade or None, reason when None, notes)."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return None, f"no submission folder was found ({UPLOAD_HINT})", []
    subs = discover([str(folder)])
    notebooks = [s for s in subs if Path(s.path).suffix.lower() == ".ipynb"]
    scripts = [s for s in subs if Path(s.path).suffix.lower() == ".py"]
    if len(notebooks) == 1:
        notes = [f"ignored: {_names(scripts, folder)} (the notebook was graded)"] if scripts else []
        return notebooks[0], "", notes
    if len(notebooks) > 1:
        return None, (f"the upload holds {len(notebooks)} notebooks ({_names(notebooks, folder)}): "
                      f"{UPLOAD_HINT}"), []
    if len(scripts) == 1:
        return scripts[0], "", []
    if scripts:
        return None, (f"the upload holds {len(scripts)} Python files and no notebook "
                      f"({_names(scripts, folder)}): {UPLOAD_HINT}"), []
    return None, f"the upload holds no notebook and no Python file: {UPLOAD_HINT}", []


# Imports the notebook makes that are slow enough to start before grading
# does: the child imports them once confined (spawn.prestart's preload).
PRELOAD = {"matplotlib.pyplot": re.compile(r"^[ \t]*(?:import matplotlib\.pyplot\b|"
                                           r"from matplotlib import (?:\(\s*)?pyplot\b)", re.M)}


def start_child(limits, folder):
    """Start the sandbox's child for this process's one upload now and send
    it its setup (a spare, taken by the first SandboxedStudent with these
    limits): the entry points call it before they import the grading
    modules, whose import the child's start-up and confinement overlap. The
    modules of PRELOAD that the upload imports itself are imported by the
    child as soon as it is confined."""
    from ..sandbox.spawn import prestart

    prestart(limits.isolation, limits, preload=_preload(folder))


def _preload(folder):
    """The modules of PRELOAD the upload's code imports (none when unsure)."""
    from ..sandbox.notebook import read_submission

    sub, _, _ = choose(folder)
    if sub is None:
        return ()
    read = read_submission(sub.path, identity=sub.ident, validate=False)
    code = "\n".join(source for _, source in read.cells) if read.ok else ""
    return tuple(name for name, pattern in PRELOAD.items() if pattern.search(code))


def exit_now(status):
    """End an entry point's process once its results are written: the upload's
    child and folders are gone (grade_one closed them), a spare never taken is
    killed here, the output is flushed; the interpreter's teardown of the
    grader's modules and caches (about 50 ms of the student's wait) is skipped."""
    import os
    import sys

    from ..sandbox.spawn import discard_spares

    discard_spares()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def grade_folder(folder, limits):
    """The result dict of one upload folder (always a result, never an exception)."""
    from ..batch import grade_one
    from ..grading import error_grade

    sub, reason, notes = choose(folder)
    if sub is None:
        return error_grade(STUDENT, reason).to_dict()
    sub = dataclasses.replace(sub, student=STUDENT, notes=tuple(sub.notes) + tuple(notes))
    return grade_one(sub, limits)


def usable_limits(limits):
    """The limits with an isolation mode this container can really give.

    In a container (Gradescope's, PrairieLearn's) root may be refused new
    namespaces (Docker's default seccomp profile), so "auto" is probed by
    starting one: root's namespaces, else "none"
    (as root: a uid of its own, rlimits, a process group). An explicit mode
    is kept as the config says."""
    import subprocess

    from ..sandbox.spawn import SYSTEM_PATH, _unshare_path, isolation_mode

    if limits.isolation != "auto":
        return limits
    mode = isolation_mode("auto")
    if mode == "root":
        try:
            ok = subprocess.run([_unshare_path(), "--mount", "--net", "--pid", "--ipc", "--fork", "true"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=10,
                                env={"PATH": SYSTEM_PATH}).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if not ok:
            mode = "none"
    return dataclasses.replace(limits, isolation=mode)


def write_results(root, document):
    """Write root/results/results.json atomically, as the canonical JSON text
    rnngrade writes everywhere (terminal-acting characters escaped); returns its Path."""
    from ..regrade import atomic_write
    from ..reports import json_text

    out = Path(root) / "results"
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "results.json", json_text(document))
    return out / "results.json"


def question_title(qid):
    """A platform test's name for a question: "q1 tanh RNN step"."""
    return f"{qid} {_TITLES.get(qid, '')}".strip()
