"""Can a hostile submission score more than an honest one, break the batch, or forge results?

The whole hostile catalogue (tests/files/hostile) is graded in one batch by
the real command. Each .py fixture is its trick plus the honest all-zeros
submission (tests/files/zeros.py, the SPEC functions answered with zeros of
the right shapes); that submission alone, graded in-process, is the cheats'
twin. Every cheat must score no more than it. The sandbox-level effects of each trick are tested in
test_sandbox_hostile.py.
"""

import json
import subprocess
import sys

import pytest

from autograder.grading import grade_source
from hostile_fixtures import hostile_dir, zeros_source

HOSTILE = hostile_dir()          # the fixtures composed with tests/files/zeros.py


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-out")
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(HOSTILE), "--jobs", "2",
                           "--json", "--out", str(out), "--quiet"],
                          capture_output=True, timeout=600)
    return proc, out


@pytest.mark.slow
def test_the_batch_finishes_with_a_row_for_every_fixture(batch):
    proc, out = batch
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(proc.stdout)["submissions"]
    fixtures = sorted(p.stem for p in HOSTILE.iterdir() if p.suffix in (".py", ".ipynb"))
    assert sorted(r["student"] for r in rows) == fixtures
    assert (out / "grades.csv").read_text().count("\n") == len(fixtures) + 1


@pytest.mark.slow
def test_no_cheat_scores_more_than_its_honest_twin(batch):
    proc, _ = batch
    rows = {r["student"]: r for r in json.loads(proc.stdout)["submissions"]}
    honest = grade_source(zeros_source(), "twin").score
    assert honest < 1.0                       # zeros earn (almost) nothing
    cheats = [p.stem for p in sorted(HOSTILE.iterdir()) if p.suffix in (".py", ".ipynb")]
    assert len(cheats) >= 20
    for name in cheats:
        assert rows[name]["score"] <= honest + 1e-9, (name, rows[name]["score"], honest)


@pytest.mark.slow
def test_broken_files_get_a_zero_row_with_a_reason(batch):
    proc, _ = batch
    rows = {r["student"]: r for r in json.loads(proc.stdout)["submissions"]}
    broken = [name for name in rows if name.startswith("notebook_") and name != "notebook_magics"]
    broken += ["syntax_error"]
    for name in broken:
        assert rows[name]["status"] == "error" and rows[name]["score"] == 0, rows[name]
        assert len(rows[name]["reason"]) > 10


@pytest.mark.slow
def test_forged_files_never_reach_the_grade_book(batch):
    proc, out = batch
    assert b"FORGED" not in proc.stdout
    for p in out.rglob("*"):
        if p.is_file():
            assert b"FORGED" not in p.read_bytes(), p
