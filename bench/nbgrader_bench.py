"""The nbgrader baseline: a throwaway course, ``generate_assignment``, ``autograde``.

    course = make_course(folder, tests)          # nbgrader_config.py, source/ps1/ps1.ipynb
    generate_command()                           # `nbgrader generate_assignment ps1`
    submit(course, entries)                      # submitted/<student>/ps1/ps1.ipynb
    autograde_command()                          # `nbgrader autograde ps1` (every student)
    scores(course)                               # {student: score} from the gradebook

The source notebook: per part a markdown heading, one solution cell (the
answer key's code for the part, between ``### BEGIN SOLUTION`` and
``### END SOLUTION``), then one autograder test cell per fixed test of
bench/fixed_tests.py (points: the question's points split evenly; the
second and later tests of a question between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS``). A submission is the release notebook with each
solution cell's source replaced by the student's code for that part.
"""

import copy
import sys
from pathlib import Path

import nbformat

from autograder import spec, submissions

ASSIGNMENT = "ps1"

CONFIG = '''c = get_config()
c.CourseDirectory.course_id = "rnn-gradients-bench"
c.CourseDirectory.db_assignments = [dict(name="{assignment}")]
c.ExecutePreprocessor.timeout = 120
'''


def _meta(**fields):
    return {"nbgrader": dict(schema_version=3, task=False, **fields)}


def source_notebook(tests):
    """The nbgrader source notebook (instructor version) for the fixed tests."""
    reference = submissions.to_notebook(submissions.reference_source())
    code_cells = [c for c in reference.cells if c.cell_type == "code"]
    per_question = {}
    for t in tests:
        per_question.setdefault(t.question, []).append(t)
    points = {q.id: float(sum(q.points.values())) for q in spec.QUESTIONS}
    cells = [nbformat.v4.new_markdown_cell(f"# {submissions.NOTEBOOK_TITLE}")]
    for part, code in zip(submissions.PARTS, code_cells):
        cells.append(nbformat.v4.new_markdown_cell(f"## Part {part.number}: {part.title}"))
        cells.append(nbformat.v4.new_code_cell(
            f"### BEGIN SOLUTION\n{code.source}\n### END SOLUTION",
            metadata=_meta(grade=False, solution=True, locked=False, grade_id=f"part{part.number}")))
        for qid in part.questions:
            qtests = per_question.get(qid, [])
            for t in qtests:
                body = t.code.rstrip("\n")
                if t.hidden:
                    body = f"### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS"
                cells.append(nbformat.v4.new_code_cell(body, metadata=_meta(
                    grade=True, solution=False, locked=True, points=round(points[qid] / len(qtests), 4),
                    grade_id=f"test_{qid}_{t.index}")))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def make_course(folder, tests):
    """Write the throwaway course; returns its folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(CONFIG.format(assignment=ASSIGNMENT))
    submissions.write_notebook(source_notebook(tests), folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return folder


def nbgrader_executable():
    candidate = Path(sys.executable).with_name("nbgrader")
    return str(candidate) if candidate.exists() else "nbgrader"


def generate_command():
    return [nbgrader_executable(), "generate_assignment", ASSIGNMENT, "--force"]


def autograde_command():
    return [nbgrader_executable(), "autograde", ASSIGNMENT]


def release_path(course):
    return Path(course) / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def submission_notebook(release, source):
    """The release notebook with its solution cells holding the student's code, part by part."""
    student_cells = [c for c in submissions.to_notebook(source).cells if c.cell_type == "code"]
    nb = copy.deepcopy(release)
    solution_cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    if len(solution_cells) != len(student_cells):
        raise ValueError(f"{len(solution_cells)} solution cells in the release, "
                         f"{len(student_cells)} parts in the submission")
    for cell, student in zip(solution_cells, student_cells):
        cell.source = student.source
    return nb


def submit(course, entries):
    """Place each Entry as submitted/<student>/ps1/ps1.ipynb; returns the paths."""
    with open(release_path(course), encoding="utf-8") as fh:
        release = nbformat.read(fh, as_version=4)
    paths = []
    for e in entries:
        path = Path(course) / "submitted" / e.student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        paths.append(submissions.write_notebook(submission_notebook(release, e.source), path))
    return paths


def autograded(course, student):
    return Path(course) / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def scores(course):
    """{student: score} read from the course's gradebook (empty if it cannot be read)."""
    try:
        from nbgrader.api import Gradebook
    except ImportError:
        return {}
    db = Path(course) / "gradebook.db"
    if not db.exists():
        return {}
    out = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        for sub in gb.assignment_submissions(ASSIGNMENT):
            out[sub.student_id] = float(sub.score)
    return out
