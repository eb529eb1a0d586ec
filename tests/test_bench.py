"""The benchmark script (bench/): its generated inputs, and a tiny real run.

Timings are never asserted; only that the script runs and reports.
The otter and nbgrader parts are skipped here (each run takes many seconds);
their generated inputs are checked without running the tools.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus, fixed_tests, nbgrader_bench, otter_bench  # noqa: E402
from autograder import spec, submissions  # noqa: E402


@pytest.fixture(scope="module")
def tests():
    return fixed_tests.build_tests()


def test_corpus_mix_and_names():
    entries = corpus.make_corpus(20)
    assert [e.student for e in entries] == [f"student_{i:03d}" for i in range(20)]
    kinds = [e.kind for e in entries]
    assert (kinds.count("correct"), kinds.count("buggy"), kinds.count("stub")) == (10, 8, 2)
    assert corpus.make_corpus(20) == entries            # deterministic
    assert corpus.counts(4)["stub"] == 1 and sum(corpus.counts(4).values()) == 4
    sample = corpus.sample(entries, 5)
    assert len(sample) == 5 and len({e.student for e in sample}) == 5


def test_otter_variant_carries_assignment_name(tmp_path):
    entries = corpus.make_corpus(3)
    paths = corpus.write_otter(entries, tmp_path, otter_bench.ASSIGNMENT_NAME)
    nb = nbformat.read(paths[0], as_version=4)
    assert nb.metadata["otter"]["assignment_name"] == otter_bench.ASSIGNMENT_NAME
    assert submissions.notebook_code(nb).strip() == submissions.notebook_code(
        submissions.to_notebook(entries[0].source)).strip()


def _run_all(tests, source):
    namespace = {}
    exec(source, namespace)
    passed = []
    for t in tests:
        env = dict(namespace)
        try:
            exec(t.code, env)
            passed.append(True)
        except Exception:
            passed.append(False)
    return passed


def test_fixed_tests_pass_on_the_key_and_fail_on_the_stub(tests):
    assert {t.question for t in tests} == set(spec.QUESTION_IDS)
    assert all(_run_all(tests, submissions.reference_source()))
    assert not any(_run_all(tests, submissions.stub_source()))


def test_otter_master_has_question_blocks(tests):
    nb = otter_bench.master_notebook(tests)
    raws = [c.source for c in nb.cells if c.cell_type == "raw"]
    assert raws[0].startswith("# ASSIGNMENT CONFIG")
    assert f"name: {otter_bench.ASSIGNMENT_NAME}" in raws[0]
    questions = [r for r in raws if r.startswith("# BEGIN QUESTION")]
    assert [q.splitlines()[1] for q in questions] == [f"name: {q}" for q in spec.QUESTION_IDS]
    assert raws.count("# BEGIN SOLUTION") == len(submissions.PARTS)
    assert raws.count("# BEGIN TESTS") == raws.count("# END TESTS") == len(spec.QUESTION_IDS)
    hidden = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# HIDDEN")]
    assert len(hidden) == sum(t.hidden for t in tests)


def test_nbgrader_course_and_submission(tests, tmp_path):
    course = nbgrader_bench.make_course(tmp_path / "course", tests)
    assert "db_assignments" in (course / "nbgrader_config.py").read_text()
    nb = nbformat.read(course / "source" / "ps1" / "ps1.ipynb", as_version=4)
    meta = [c.metadata.get("nbgrader") for c in nb.cells if c.cell_type == "code"]
    solutions_cells = [m for m in meta if m["solution"]]
    graded = [m for m in meta if m["grade"]]
    assert len(solutions_cells) == len(submissions.PARTS)
    assert len(graded) == len(tests) and all(m["locked"] and m["points"] > 0 for m in graded)
    assert abs(sum(m["points"] for m in graded) - spec.MAX_SCORE) < 1e-2
    assert len({m["grade_id"] for m in meta}) == len(meta)
    # A submission keeps the release's test cells and holds the student's code.
    stub = corpus.Entry("student_000", "stub", "stub", submissions.stub_source())
    sub = nbgrader_bench.submission_notebook(nb, stub.source)
    codes = [c.source for c in sub.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert all("raise NotImplementedError()" in c for c in codes)
    assert [c.source for c in sub.cells if c.metadata.get("nbgrader", {}).get("grade")] == \
        [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.slow
def test_bench_script_runs_on_a_tiny_corpus(tmp_path):
    md, raw = tmp_path / "table.md", tmp_path / "raw.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), "--k", "4", "--single-runs", "1",
                           "--skip-otter", "--skip-nbgrader", "--markdown", str(md), "--raw", str(raw),
                           "--workdir", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "rnngrade grade --jobs 2 (one batch)" in proc.stdout
    assert "in-process loop" in proc.stdout
    table = md.read_text()
    assert table.startswith("| method |") and "median s/submission" in table
    data = json.loads(raw.read_text())
    keys = [r["key"] for r in data["rows"]]
    assert keys == ["rnngrade", "rnngrade_single", "floor"]
    assert all("failed" not in r for r in data["rows"])
    assert data["details"]["rnngrade"]["check"]["rows"] == 4
    assert data["details"]["scores_agree"] is True
    assert len(list((tmp_path / "work" / "rnngrade").glob("student_*.ipynb"))) == 4
