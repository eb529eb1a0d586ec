"""Does the sandboxed grader give every catalogue submission the score the in-process grader gives?

The catalogue tests (test_catalogue.py) grade in-process, where caches are
real objects and nothing crosses a process boundary. The real command runs
each submission in the sandbox, where arguments and results travel as data
and caches stay behind as references. Both must agree on every bug and
every correct variant (a difference once cost a correct namedtuple cache
six points), and the correct ones get full marks as .ipynb notebooks too.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading import grade_source
from autograder.spec import MAX_SCORE
from autograder.submissions import compose, to_notebook, write_notebook

FILES = Path(__file__).parent / "files"
BUGS = sorted((FILES / "bugs").glob("*.py"))
CORRECT = sorted((FILES / "correct").glob("*.py"))


@pytest.mark.slow
def test_sandboxed_scores_equal_in_process_scores(tmp_path):
    expected = {}
    for path in BUGS + CORRECT:
        source = compose(path)
        name = f"{path.parent.name}-{path.stem}"
        (tmp_path / f"{name}.py").write_text(source)
        expected[name] = grade_source(source, name).score
    for path in CORRECT:
        name = f"notebook-{path.stem}"
        write_notebook(to_notebook(compose(path)), tmp_path / f"{name}.ipynb")
        expected[name] = MAX_SCORE
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(tmp_path), "--jobs", "2",
                           "--json", "--quiet"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = {r["student"]: r["score"] for r in json.loads(proc.stdout)["submissions"]}
    assert set(got) == set(expected)
    differ = {name: (got[name], expected[name]) for name in expected if abs(got[name] - expected[name]) > 1e-9}
    assert not differ
    assert all(got[f"correct-{p.stem}"] == MAX_SCORE for p in CORRECT)
