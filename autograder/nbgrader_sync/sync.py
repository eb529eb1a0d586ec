"""Grade an nbgrader course's submissions in the sandbox and record the
scores in its gradebook.

    summary = sync("rnn_gradients", course_dir, db_url=None, jobs=2, execute=False)

1. The submitted notebooks (``submitted/<student>/<assignment>/<nb>.ipynb``,
   for each notebook the gradebook lists for the assignment) are graded by
   ``batch.grade_batch``: student code runs only in the sandbox.
2. nbgrader's own ``autograde`` runs for each student through
   ``NbGraderAPI`` (in this process), for its bookkeeping: the student and
   submission rows, the timestamp and late flag, the autograded copy with
   the instructor's versions of locked cells, the grades and comments of
   every cell. Its ``Execute`` step is replaced by ``SandboxScores``
   (cells.py), which puts our feedback and score in every test cell, so
   nbgrader's own ``SaveAutoGrades`` records the sandbox's score and the
   student's code is never run here. With ``execute=True`` nbgrader's
   ``Execute`` runs first (the student's code in a Jupyter kernel on this
   machine, as plain nbgrader does) and its test-cell outputs are then
   replaced the same way.
3. Each test cell's ``auto_score`` is then written (and checked) through
   ``nbgrader.api.Gradebook``; a grader's manual score is never touched,
   and written answers stay for graders.
4. With a due date in assignment.json, the gradebook's due date is set to
   it and nbgrader's late-penalty step uses our policy (late_plugin.py):
   ``nbgrader export`` shows the penalty ``rnngrade grade`` computes. Like
   nbgrader's own, it is computed at autograde time, on the autograded
   score (written answers graded later are not penalised).

Nothing is followed: a student folder, assignment folder or notebook that
is a link, not a regular file or over the size limit is neither graded nor
handed to nbgrader; it is reported.
"""

import os
import stat
import sys
import warnings
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

from sqlalchemy.exc import SAWarning

from .. import batch
from ..config import DEFAULT_PATH as DEFAULT_CONFIG, load_config
from ..discovery import Submission, printable
from . import cells
from .late_plugin import PolicyLatePenalty

SUBMITTED = "submitted"


class UsageError(ValueError):
    """The course, assignment or gradebook cannot be used as given (exit status 2)."""


@dataclass
class Summary:
    """What sync did: per student, the sandbox's total and what was recorded."""
    rows: list = field(default_factory=list)        # (student, score, max_score, status)
    problems: list = field(default_factory=list)    # (student, message): not recorded
    warnings: list = field(default_factory=list)    # course-level remarks


def _is_dir(path):
    """'dir', 'link', 'missing' or 'other' for a path, without following a link."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    return "dir" if stat.S_ISDIR(mode) else "other"


def student_folders(course, assignment):
    """[(student, assignment folder or None, problem)] of submitted/*/ASSIGNMENT/, sorted."""
    root = Path(course) / SUBMITTED
    if _is_dir(root) != "dir":
        raise UsageError(f"{root} is not a folder (nbgrader's collect puts submissions there)")
    out = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        name, folder = entry.name, Path(entry.path) / assignment
        if printable(name) != name:
            out.append((printable(name), None, "the student folder's name has control characters"))
        elif _is_dir(entry.path) == "link":
            out.append((name, None, f"{SUBMITTED}/{name} is a symbolic link; it was not followed"))
        elif _is_dir(entry.path) == "dir" and _is_dir(folder) == "link":
            out.append((name, None, f"{SUBMITTED}/{name}/{assignment} is a symbolic link; it was not followed"))
        elif _is_dir(entry.path) == "dir" and _is_dir(folder) == "dir":
            out.append((name, folder, ""))
    return out


def _notebook_problem(path, limits):
    """Why a submitted notebook is not graded nor given to nbgrader ("" if it is fine),
    by the batch's own rule (batch.refusal: links, special files, the size cap);
    None when it is absent (nbgrader itself gives an absent notebook zero)."""
    if not os.path.lexists(path):
        return None
    return batch.refusal(Submission("", path), limits)


def submissions(folders, notebooks, limits):
    """([(student, notebook, Submission)], [(student, problem)]) for the sandbox."""
    subs, problems = [], []
    for student, folder, problem in folders:
        if problem:
            problems.append((student, problem))
            continue
        found, bad = [], []
        for nb in notebooks:
            path = folder / f"{nb}.ipynb"
            why = _notebook_problem(path, limits)
            if why:
                bad.append(why)
            elif why == "":
                info = os.lstat(path)
                found.append((student, nb, Submission(student, path, ident=(info.st_dev, info.st_ino))))
        if bad:
            problems.append((student, "; ".join(bad)))
        elif not found:                               # nbgrader's autograde refuses it too
            problems.append((student, f"the folder holds none of the assignment's notebooks "
                                      f"({', '.join(nb + '.ipynb' for nb in notebooks)})"))
        else:
            subs += found
    return subs, problems


def feedback_check(config):
    """A warning when the course's feedback would show hidden tests, else ""."""
    pre = config.GenerateFeedback.get("preprocessors", [])
    if any(getattr(p, "__name__", str(p)).rpartition(".")[2] == "ClearHiddenTests" for p in pre):
        return ""
    return ("nbgrader_config.py: GenerateFeedback.preprocessors lacks ClearHiddenTests, so "
            "`nbgrader generate_feedback` would show the hidden tests to students; add it "
            "(rnngrade build's nbgrader_config.py does)")


def course_config(course, db_url, execute, entries, late_config=None):
    """The course's nbgrader_config.py, with the root, the gradebook URL and
    the autograde steps of this run; with late_config (the assignment config
    file, when it has a due date) nbgrader's late penalty is our policy's."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, IgnorePattern, SaveAutoGrades
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    course = Path(course).resolve()
    config = Config()
    if (course / "nbgrader_config.py").is_file():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    if db_url:
        config.CourseDirectory.db_url = db_url
    steps = list(config.Autograde.get("autograde_preprocessors") or Autograde().autograde_preprocessors)
    if not execute:
        steps = [s for s in steps if s not in (Execute, IgnorePattern)]
    at = steps.index(SaveAutoGrades) if SaveAutoGrades in steps else len(steps)
    config.Autograde.autograde_preprocessors = steps[:at] + [cells.SandboxScores] + steps[at:]
    config.SandboxScores.entries = entries
    if late_config is not None:                       # our late policy through nbgrader's plugin
        config.AssignLatePenalties.plugin_class = PolicyLatePenalty
        config.PolicyLatePenalty.config_file = str(late_config)
    return config


def _gradebook_notebooks(db_url, assignment):
    """The notebook names of the assignment in the gradebook (UsageError if it is not there)."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(db_url) as gb:
        try:
            return sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            raise UsageError(f"the gradebook has no assignment {assignment!r}: run "
                             f"`nbgrader generate_assignment {assignment}` in the course folder "
                             "(with the same --db) first") from None


def set_due_date(db_url, assignment, due):
    """The assignment's due date in the gradebook (nbgrader keeps naive UTC times)."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gb:
        gb.update_or_create_assignment(assignment, duedate=due.astimezone(timezone.utc).replace(tzinfo=None))


def write_scores(db_url, assignment, student, notebook, entries):
    """Set each test cell's auto_score to the sandbox's (0 where it has none)
    through nbgrader's Gradebook; returns the grade ids whose recorded score
    differed (nbgrader's own step should already have written ours)."""
    from nbgrader.api import Gradebook
    changed = []
    with Gradebook(db_url) as gb:
        book = gb.find_notebook(notebook, assignment)
        answers = {c.name for c in book.solution_cells}
        for cell in book.grade_cells:
            if cell.name in answers:
                continue                              # a written answer: the graders'
            grade = gb.find_grade(cell.name, notebook, assignment, student)
            score = min(entries.get(cell.name, (0.0,))[0], float(cell.max_score))
            if grade.auto_score is None or abs(grade.auto_score - score) > 1e-9:
                changed.append(cell.name)
            grade.auto_score = score
            grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
    return changed


def _with_venv_path():
    """nbgrader runs `alembic` as a subprocess: this Python's bin folder goes first on PATH."""
    here = str(Path(sys.executable).parent)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def _grade(subs, jobs, limits, progress):
    """{"student/notebook": cell entries} and the results, from the sandbox."""
    results = batch.grade_batch([s for _, _, s in subs], jobs=jobs, limits=limits, progress=progress)
    entries, totals = {}, []
    for (student, nb, _), result in zip(subs, results):
        entries[f"{student}/{nb}"] = {k: list(v) for k, v in cells.cell_entries(result).items()}
        totals.append((student, result["score"], result["max_score"], result["status"],
                       bool(result.get("internal_error"))))
    return entries, totals


def sync(assignment, course, db_url=None, jobs=None, execute=False, config_file=None, progress=None):
    """Grade submitted/*/ASSIGNMENT/ in the sandbox and record the scores
    in the gradebook (module docstring); returns a Summary."""
    from nbgrader.apps import NbGraderAPI

    course = Path(course).resolve()
    if _is_dir(course) != "dir":
        raise UsageError(f"{course} is not a course folder")
    _with_venv_path()
    assignment_config = load_config(config_file)
    limits = assignment_config.limits
    probe = course_config(course, db_url, execute, {})
    db_url = db_url or NbGraderAPI(config=probe).coursedir.db_url
    summary = Summary()
    if feedback_check(probe):
        summary.warnings.append(feedback_check(probe))
    notebooks = _gradebook_notebooks(db_url, assignment)
    subs, summary.problems = submissions(student_folders(course, assignment), notebooks, limits)
    entries, totals = _grade(subs, jobs, limits, progress) if subs else ({}, [])
    for student, *_, internal in totals:
        if internal:
            summary.problems.append((student, "the autograder itself failed on this notebook; nothing "
                                              "was recorded (rerun the command)"))
    late_config = None
    if assignment_config.late.due is not None:
        late_config = Path(config_file) if config_file else DEFAULT_CONFIG
        set_due_date(db_url, assignment, assignment_config.late.due)
    api = NbGraderAPI(config=course_config(course, db_url, execute, entries, late_config))
    skipped = {s for s, _ in summary.problems}
    with warnings.catch_warnings():                   # nbgrader's own SQLAlchemy session warnings
        warnings.simplefilter("ignore", SAWarning)
        _record(api, summary, assignment, db_url, notebooks, entries,
                sorted({s for s, _, _ in subs} - skipped))
    summary.rows = sorted((t for t in totals if t[0] not in skipped), key=lambda row: row[0])
    return summary


def _record(api, summary, assignment, db_url, notebooks, entries, students):
    """nbgrader's autograde (its kernel step replaced) for each student, then
    every test cell's score written and checked through the Gradebook."""
    for student in students:
        done = api.autograde(assignment, student, force=True, create=True)
        if not done["success"]:
            summary.problems.append((student, "nbgrader autograde failed: " +
                                     printable(done.get("error") or done.get("log") or "")[-2000:]))
            continue
        for nb in notebooks:
            if f"{student}/{nb}" in entries:
                cells_of = {k: tuple(v) for k, v in entries[f"{student}/{nb}"].items()}
                changed = write_scores(db_url, assignment, student, nb, cells_of)
                if changed:
                    summary.warnings.append(f"{student}/{nb}: nbgrader had recorded other scores for "
                                            f"{', '.join(changed)}; overwritten with the sandbox's")
