"""The nbgrader course folder of one language, released by the real nbgrader.

    build_nbgrader(lang, out_dir)      writes out_dir/ (DIR/<lang>/nbgrader/):

    nbgrader_config.py                       course id, feedback without hidden tests
    source/rnn_gradients/rnn_gradients.ipynb the instructor's notebook (nbgrader metadata)
    source/rnn_gradients/rnn_checks/         the public checks, released with it
    release/rnn_gradients/...                from ``nbgrader generate_assignment``

The source notebook is the student notebook of autograder/build with
nbgrader's cell metadata (schema 3):

- a function cell is a solution cell: the stub's signature and docstring,
  then ``### BEGIN SOLUTION`` / the answer key's body / ``### END SOLUTION``,
  so the release shows exactly our stub (``# YOUR CODE HERE``,
  ``raise NotImplementedError()``). Module-level names the answer key's body
  uses (constants, private helpers) are defined inside the solution region.
- each question q0..q6 has one autograded test cell worth the question's
  points (autograder/spec.py): the public check (it prints and never
  raises), then ``### BEGIN HIDDEN TESTS`` with rnngrade's own checks run in
  the kernel, whose last expression is the points earned, so nbgrader gives
  the same partial credit as ``rnngrade grade`` (for honest code: the kernel
  is shared with the student's code, see the README).
- each written answer is a manually graded answer cell worth its rubric's
  points (the notebook source's ``rubric`` block), followed by a locked
  rubric cell whose rubric is nbgrader's mark scheme region: removed from the
  release, restored by ``autograde`` (the cell is locked), so the formgrader
  and the feedback show it after grading.

The gradebook that ``generate_assignment`` needs is made in a temporary
folder and deleted: the build folder holds no database, and the instructor's
own gradebook starts empty. Building twice gives the same bytes.
"""

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from autograder import public, spec, submissions
from . import notebook, source
from .fill import SourceIndex

ASSIGNMENT = "rnn_gradients"
COURSE_ID = "rnn_gradients"
NOTEBOOK_NAME = f"{ASSIGNMENT}.ipynb"
# Each written answer, graded by hand, is worth its rubric's points (the notebook
# source's rubric blocks; SPEC gives none), on top of the 100 autograded points.
RUBRIC_NOTE = {
    "en": "*The rubric of {name} appears here in your feedback after grading.*",
    "zh": "*{name} 的评分标准在评分后的反馈中显示于此。*",
}
SCHEMA = 3
TEXT_STUB = {
    "en": "write it here (a few sentences; graded by hand).",
    "zh": "写在这里（几句话即可；人工评分）。",
}
GENERATE_TIMEOUT = 600            # seconds: the machine may be busy

CONFIG_TEMPLATE = '''\
"""nbgrader configuration of the {course} course ({lang}), written by `rnngrade build`."""
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 (nbgrader provides it)

# The hidden tests call autograder.incell: run nbgrader from the environment
# rnngrade is installed in (its bin folder on PATH: nbgrader runs alembic),
# so the grading kernel can import it. They share the student's kernel and
# can be fooled; `rnngrade grade` grades in a sandbox.

c.CourseDirectory.course_id = "{course}"

# A written answer's placeholder in the release.
c.ClearSolutions.text_stub = {text_stub!r}

# A hidden test cell grades a whole question; a busy machine is slow.
c.Execute.timeout = 600

# nbgrader zeroes a test cell that wrote to stderr. The checks silence
# warnings; a warning line the student's own code printed anyway is removed
# from the autograded notebook and costs nothing: the points are the hidden
# test's output.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\\w*Warning"

# A written answer's rubric sits in a locked Markdown cell after it, between
# MARK SCHEME comments: removed from the release, restored by autograde, so
# graders (formgrader) and, after grading, the student (feedback) see it.
c.ClearMarkScheme.enforce_metadata = False

# Feedback must not show the hidden tests.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests]
'''


def _meta(grade_id, *, grade, solution, locked, points=None):
    """nbgrader's cell metadata, schema 3."""
    meta = {"grade": grade, "solution": solution, "locked": locked,
            "grade_id": grade_id, "schema_version": SCHEMA, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _extras_index():
    """The answer key as one module, with every contract function and
    provided helper named (they are cells of their own)."""
    index = SourceIndex(submissions.reference_source())
    cells = set(spec.FUNCTIONS) | {name for _, name in submissions.PROVIDED_HELPERS}
    return index, cells


def solution_body(name, index=None, cells=None):
    """The answer key's body of a contract function (no docstring), as lines
    at the function's indentation, with the module-level names it uses
    defined first (imports left to the setup cell)."""
    if index is None:
        index, cells = _extras_index()
    node = index.functions[name]
    indent = " " * node.body[0].col_offset
    deps = [d for d in index.dependencies(node, cells)
            if not isinstance(d, (ast.Import, ast.ImportFrom))]
    lines = []
    for dep in deps:
        lines += [(indent + line).rstrip() for line in index.text(dep).splitlines()] + [""]
    start = node.body[0].end_lineno if ast.get_docstring(node) is not None else node.body[0].lineno - 1
    body = index.lines[start:node.end_lineno]
    while body and not body[0].strip():
        body.pop(0)
    return lines + body


def solution_cell_source(stub_source, body_lines):
    """A stub's text with its two stub lines replaced by a solution region."""
    lines = stub_source.split("\n")
    first, second = submissions.STUB_BODY
    for i in range(len(lines) - 1):
        if lines[i].strip() == first and lines[i + 1].strip() == second:
            indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
            region = [indent + "### BEGIN SOLUTION"] + body_lines + [indent + "### END SOLUTION"]
            return "\n".join(lines[:i] + region + lines[i + 2:])
    raise ValueError("the stub has no '# YOUR CODE HERE' / 'raise NotImplementedError()' lines")


def test_cell_source(qid, visible):
    """A question's autograded test cell: the visible public check, then the
    hidden tests whose last expression is the points earned."""
    return (visible.rstrip("\n") + "\n"
            "### BEGIN HIDDEN TESTS\n"
            "from autograder import incell\n"
            f'incell.question_score("{qid}", globals())\n'
            "### END HIDDEN TESTS")


def _answer_source(prompt_cell_text, model_answer):
    """A written answer cell: the prompt's label, then the model answer as
    the solution region (the release shows the label and TEXT_STUB)."""
    label = prompt_cell_text.partition("** ")[0] + "**"
    return f"{label}\n### BEGIN SOLUTION\n{model_answer.strip()}\n### END SOLUTION"


def rubric_cell(rubric):
    """The locked Markdown cell after a written answer: a note the student
    sees, then the rubric as nbgrader's mark scheme region (HTML comments, so
    the markers do not show)."""
    text = (RUBRIC_NOTE[rubric.lang].format(name=rubric.name) + "\n\n<!-- BEGIN MARK SCHEME -->\n\n"
            + notebook.rubric_markdown(rubric) + "\n\n<!-- END MARK SCHEME -->")
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = f"rubric-{rubric.name}".replace("_", "-")
    cell.metadata["rnngrade"] = {"role": "rubric", "name": rubric.name}
    cell.metadata["nbgrader"] = _meta(f"rubric_{rubric.name}", grade=False, solution=False,
                                      locked=True)
    return cell


def _check_questions(cells):
    """Every question has exactly one check cell (it becomes the test cell)."""
    found = [c.metadata["rnngrade"].get("question") for c in cells
             if c.metadata.get("rnngrade", {}).get("role") == "check"]
    for qid in spec.QUESTION_IDS:
        if found.count(qid) != 1:
            raise source.SourceError(f"question {qid} has {found.count(qid)} check cells in the "
                                     "notebook source; nbgrader's test cell needs exactly one")


def source_notebook(lang, source_path=None):
    """The instructor's nbgrader notebook of one language (not executed);
    source_path None: the assignment's notebook source."""
    from . import DEFAULT_SOURCE, build_notebooks      # the package imports this module

    books = build_notebooks(lang, source_path or DEFAULT_SOURCE)
    student, solution = books["student"], books["solution"]
    model = {c.metadata["rnngrade"]["name"]: c.source for c in solution.cells
             if c.metadata.get("rnngrade", {}).get("role") == "answer"}
    points = {q.id: sum(q.points.values()) for q in spec.QUESTIONS}
    rubrics = source.rubrics(source.read(source_path or DEFAULT_SOURCE), lang)
    cells_out = []
    index, cells = _extras_index()
    _check_questions(student.cells)
    for cell in student.cells:
        role = cell.metadata.get("rnngrade", {})
        if role.get("role") == "function":
            body = solution_body(role["name"], index, cells)
            cell.source = solution_cell_source(cell.source, body)
            cell.metadata["nbgrader"] = _meta(role["name"], grade=False, solution=True, locked=False)
        elif role.get("role") == "check":
            qid = role["question"]
            cell.source = test_cell_source(qid, cell.source)
            cell.metadata["nbgrader"] = _meta(f"test_{qid}", grade=True, solution=False,
                                              locked=True, points=points[qid])
        elif role.get("role") == "answer":
            rubric = rubrics[role["name"]]
            model_answer, _, tail = model[role["name"]].rpartition(notebook.rubric_markdown(rubric))
            if tail.strip() or not model_answer:
                raise source.SourceError(f"the solution's {role['name']} cell does not end with its rubric")
            cell.source = _answer_source(cell.source, model_answer)
            cell.metadata["nbgrader"] = _meta(f"answer_{role['name']}", grade=True, solution=True,
                                              locked=False, points=float(rubric.points))
            cells_out += [cell, rubric_cell(rubric)]
            continue
        cells_out.append(cell)
    student.cells = cells_out
    student.metadata["rnngrade"] = {"lang": lang, "variant": "nbgrader"}
    return student


def config_text(lang):
    """The course's nbgrader_config.py."""
    return CONFIG_TEMPLATE.format(course=COURSE_ID, lang=lang, text_stub=TEXT_STUB[lang])


def nbgrader_env():
    """The environment nbgrader needs: this Python's bin folder first on
    PATH (nbgrader runs alembic as a subprocess)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(args, course, db_url=None, timeout=GENERATE_TIMEOUT):
    """Run the real nbgrader command line in a course folder; returns the
    CompletedProcess (RuntimeError with its output if it fails)."""
    command = [sys.executable, "-m", "nbgrader", *args]
    if db_url is not None:
        command.append(f"--CourseDirectory.db_url={db_url}")
    done = subprocess.run(command, cwd=course, env=nbgrader_env(), capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done


def build_nbgrader(lang, out_dir, source_path=None, log=None):
    """Write the nbgrader course folder of one language; returns the Paths
    written (config, source notebook, released notebook)."""
    out_dir = Path(out_dir)
    source_dir = out_dir / "source" / ASSIGNMENT
    release_dir = out_dir / "release" / ASSIGNMENT
    for folder in (source_dir, release_dir):
        if folder.exists():
            shutil.rmtree(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = out_dir / "nbgrader_config.py"
    config.write_text(config_text(lang), encoding="utf-8")
    written = [config, notebook.write(source_notebook(lang, source_path), source_dir / NOTEBOOK_NAME)]
    public.write_bundle(source_dir)                    # released with the notebook
    with tempfile.TemporaryDirectory(prefix="rnngrade-gradebook-") as tmp:
        run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], out_dir,
                     db_url=f"sqlite:///{Path(tmp) / 'gradebook.db'}")
    written.append(release_dir / NOTEBOOK_NAME)
    if log is not None:
        for path in written:
            log(f"wrote {path}")
    return written
