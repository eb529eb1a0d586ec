"""Platform cells (otter's, nbgrader's test cells, our public checks) are not
run when grading: they would only cost time and leave notes in the feedback."""

import json
import subprocess
import sys

import nbformat
import pytest

from autograder.sandbox.scaffold import is_scaffolding
from autograder.submissions import compose, to_notebook


def code(source, metadata=None):
    return {"cell_type": "code", "source": source, "metadata": metadata or {}}


OTTER_INIT = '# Initialize Otter\nimport otter\ngrader = otter.Notebook("rnn_gradients.ipynb")'
OTTER_EXPORT = ("# Save your notebook first, then run this cell to export your submission.\n"
                "grader.export(pdf=False, run_tests=True)")
NBGRADER_TEST = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 15,
                              "grade_id": "test_q1", "schema_version": 3, "task": False}}


@pytest.mark.parametrize("source", [OTTER_INIT, OTTER_EXPORT, 'grader.check("q1")', "grader.check_all()",
                                    'from rnn_checks import check\ncheck("q3", globals())',
                                    "from rnn_checks import check_all\ncheck_all(globals())"])
def test_platform_cells_are_scaffolding(source):
    assert is_scaffolding(code(source))


@pytest.mark.parametrize("source", [
    OTTER_INIT + "\ndef chain_product(factors):\n    return 1.0",      # student code after otter's lines
    'grader.check("q1")\nx = 1',
    'def f():\n    grader.check("q1")',
    'check("q1", globals())\nimport os',
    "import otter",
    "",
])
def test_student_code_is_not_scaffolding(source):
    assert not is_scaffolding(code(source))


def test_nbgrader_test_cells_by_metadata_and_solution_cells_kept():
    assert is_scaffolding(code("anything at all", NBGRADER_TEST))
    solution = {"nbgrader": dict(NBGRADER_TEST["nbgrader"], solution=True)}
    assert not is_scaffolding(code("def f(): pass", solution))


@pytest.mark.slow
def test_a_release_notebook_is_graded_without_platform_noise(tmp_path):
    nb = to_notebook(compose(""))
    nb.cells.insert(0, nbformat.v4.new_code_cell(OTTER_INIT))
    nb.cells.append(nbformat.v4.new_code_cell('grader.check("q1")'))
    nb.cells.append(nbformat.v4.new_code_cell("raise AssertionError('hidden test')", metadata=NBGRADER_TEST))
    nb.cells.append(nbformat.v4.new_code_cell(OTTER_EXPORT))
    path = tmp_path / "release.ipynb"
    nbformat.write(nb, path)
    out = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", "--json", "--quiet", str(path)],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    row = json.loads(out)["submissions"][0]
    assert row["score"] == 100.0
    assert "notes" not in row
