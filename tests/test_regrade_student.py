"""Late work end to end and `rnngrade grade ... --out DIR --student ID`, through the real command.

A class in nbgrader's layout (trusted fixtures from tests/files/correct and bugs): two
students with nbgrader's timestamp.txt, one whose time comes from --submitted-at, one
from the file's mtime, one that cannot be graded. Regrading one student must change
that student's row and files and nothing else in DIR (every file hashed before and after).
"""

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.spec import QUESTION_IDS
from autograder.submissions import compose

FILES = Path(__file__).parent / "files"
DUE = "2026-12-01T17:00:00+01:00"
CONFIG = {"due": DUE, "late_policy": {"per_day": 0.1, "max": 0.3, "grace_minutes": 15},
          "extensions": {"ada": 24}}
STAMPS = {"ada": "2026-12-02 10:00:00.000000 UTC",          # late but inside her extension
          "bob": "2026-12-02 17:00:00.000000 UTC"}          # 1 day 45 min after due + grace: 2 days
TIMES_CSV = "student,submitted_at\ncy,2026-12-01T16:59:00+01:00\n"
DEE_MTIME = 1796140800 + 10 * 86400                         # due + ten days: capped at 30%
CLASS_FILES = {"class_report.html", "class_report.json"}    # a class aggregate, rewritten on --student


def rnngrade(*args):
    return subprocess.run([sys.executable, "-m", "autograder.cli", "grade", *map(str, args)],
                          capture_output=True, text=True, timeout=900)


def make_class(root):
    """submitted/<student>/rnn/rnn.py, timestamps, the config and the --submitted-at file."""
    sources = {"ada": FILES / "correct" / "clip_python_loops.py", "bob": FILES / "bugs" / "chain_product_sums.py",
               "cy": FILES / "correct" / "closure_caches.py", "dee": FILES / "bugs" / "clip_per_tensor.py"}
    for student, fixture in sources.items():
        folder = root / "submitted" / student / "rnn"
        folder.mkdir(parents=True)
        (folder / "rnn.py").write_text(compose(fixture))
        if student in STAMPS:
            (folder / "timestamp.txt").write_text(STAMPS[student] + "\n")
    (root / "submitted" / "eve" / "rnn").mkdir(parents=True)
    (root / "submitted" / "eve" / "rnn" / "rnn.py").write_text("def rnn_step_forward(:\n")
    os.utime(root / "submitted" / "dee" / "rnn" / "rnn.py", (DEE_MTIME, DEE_MTIME))
    (root / "assignment.json").write_text(json.dumps(CONFIG))
    (root / "times.csv").write_text(TIMES_CSV)


def grade(root, out, *extra, config="assignment.json"):
    return rnngrade(root / "submitted", "--out", out, "--config", root / config,
                    "--submitted-at", root / "times.csv", "--jobs", "2", *extra)


def hashes(folder):
    """relative path -> sha256 of every file under folder."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rows_of(out):
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    make_class(root)
    proc = grade(root, root / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


@pytest.fixture
def copy(graded, tmp_path):
    """A copy of the graded class and its DIR, for a test that changes them."""
    shutil.copytree(graded, tmp_path / "c", symlinks=True)
    os.utime(tmp_path / "c" / "submitted" / "dee" / "rnn" / "rnn.py", (DEE_MTIME, DEE_MTIME))
    return tmp_path / "c"


@pytest.mark.slow
def test_grades_csv_carries_the_penalty_and_grades_json_says_where_each_time_came_from(graded):
    out = graded / "out"
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == ["student", *QUESTION_IDS, "raw_score", "late_penalty", "score", "max_score", "status", "reason",
                      "submitted_at", "time_source"]
    rows = rows_of(out)
    assert rows["dee"]["time_source"] == "mtime" and rows["dee"]["submitted_at"]
    for r in rows.values():
        assert float(r["raw_score"]) - float(r["late_penalty"]) == pytest.approx(float(r["score"]), abs=1e-9)
    fraction = {s: float(r["late_penalty"]) / float(r["raw_score"]) for s, r in rows.items() if float(r["raw_score"])}
    assert fraction == pytest.approx({"ada": 0, "bob": 0.2, "cy": 0, "dee": 0.3}, abs=1e-3)     # to the cent
    assert rows["eve"]["status"] == "error" and rows["eve"]["score"] == "0"
    doc = {r["student"]: r for r in json.loads((out / "grades.json").read_text())["submissions"]}
    assert {s: r["time_source"] for s, r in doc.items()} == {
        "ada": "timestamp.txt", "bob": "timestamp.txt", "cy": "--submitted-at", "dee": "mtime", "eve": "mtime"}
    assert doc["bob"]["submitted_at"] == "2026-12-02T17:00:00+00:00" and doc["bob"]["late"]["days_late"] == 2
    assert doc["ada"]["late"]["extension_hours"] == 24
    for s, r in doc.items():
        assert r["score"] == float(rows[s]["score"]) and r["raw_score"] == float(rows[s]["raw_score"])
        gs = json.loads((out / "gradescope" / s / "results.json").read_text())
        assert gs["score"] == r["score"]                       # Gradescope gets the penalised score
    md = (out / "feedback" / "bob.md").read_text()
    assert "before the late penalty of" in md and "Late by 2 started days" in md
    assert "from nbgrader's timestamp.txt" in md and "10% per day, at most 30%, so 20%" in md
    assert "On time: no late penalty." in (out / "feedback" / "ada.md").read_text()


@pytest.mark.slow
def test_a_changed_late_policy_regrades_nothing(copy):
    policy = dict(CONFIG, late_policy={"per_day": 0.05, "max": 1})
    (copy / "gentle.json").write_text(json.dumps(policy))
    proc = grade(copy, copy / "out", config="gentle.json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("[cached]") == 5 and "/5]" not in proc.stderr
    bob = rows_of(copy / "out")["bob"]
    assert float(bob["late_penalty"]) == pytest.approx(round(float(bob["raw_score"]) * 0.1, 2))


@pytest.mark.slow
def test_regrading_one_student_changes_their_row_and_files_and_nothing_else(copy):
    out = copy / "out"
    before = hashes(out)
    old_csv = (out / "grades.csv").read_text().splitlines()
    old_rows = json.loads((out / "grades.json").read_text())["submissions"]
    (copy / "submitted" / "bob" / "rnn" / "rnn.py").write_text(compose(FILES / "correct" / "clip_spec_literal.py"))
    proc = grade(copy, out, "--student", "bob", "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [r["student"] for r in json.loads(proc.stdout)["submissions"]] == ["bob"]
    after = hashes(out)
    mine = {"grades.csv", "grades.json", "feedback/bob.md", "feedback/bob.html", "gradescope/bob/results.json"}
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed == mine | CLASS_FILES
    added = set(after) - set(before)
    assert len(added) == 1 and next(iter(added)).startswith(".rnngrade/results/")     # bob's new result
    new_csv = (out / "grades.csv").read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(old_csv, new_csv)) if a != b] == [2] and len(new_csv) == len(old_csv)
    assert new_csv[2].startswith("bob,5,15,15,15,20,20,10,100,20,80,100,graded")
    new_rows = json.loads((out / "grades.json").read_text())["submissions"]
    assert [a == b for a, b in zip(old_rows, new_rows)] == [True, False, True, True, True]
    assert "80 / 100 (100 before the late penalty of 20 points)" in (out / "feedback" / "bob.md").read_text()
    # the same as grading the whole class afresh
    fresh = grade(copy, copy / "fresh")
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    for name in mine | CLASS_FILES:
        assert (out / name).read_bytes() == (copy / "fresh" / name).read_bytes(), name


@pytest.mark.slow
def test_misuse_of_student_changes_nothing(copy):
    out = copy / "out"
    before = hashes(out)
    (copy / "submitted" / "fay" / "rnn").mkdir(parents=True)             # a student the grade book lacks
    (copy / "submitted" / "fay" / "rnn" / "rnn.py").write_text(compose(FILES / "correct" / "closure_caches.py"))
    for args, words in [(("--student", "zoe"), "no submission under the PATHs has this id"),
                        (("--student", "BOB"), "did you mean bob"),
                        (("--student", "fay"), "not in"),
                        ]:
        proc = grade(copy, out, *args)
        assert proc.returncode == 2 and words in proc.stderr, (args, proc.stderr[-2000:])
    alone = rnngrade(copy / "submitted", "--student", "bob", "--config", copy / "assignment.json")
    assert alone.returncode == 2 and "--student needs --out" in alone.stderr
    (out / "grades.csv").write_text((out / "grades.csv").read_text().replace("ada,", "Ada,"))   # edited by hand
    edited = hashes(out)
    proc = grade(copy, out, "--student", "bob")
    assert proc.returncode == 2 and "grades.csv is not what this rnngrade writes" in proc.stderr
    assert hashes(out) == edited
    assert {p for p in before if before[p] != edited[p]} == {"grades.csv"}


@pytest.mark.slow
def test_a_bad_submitted_at_file_is_misuse(copy):
    (copy / "times.csv").write_text("student,submitted_at\ncy,2026-12-01T16:59:00+01:00\nzed,yesterday\n")
    proc = grade(copy, copy / "new")
    assert proc.returncode == 2 and "times.csv line 3: 'yesterday' is not an ISO 8601 time" in proc.stderr
    assert not (copy / "new").exists()


@pytest.mark.slow
def test_the_class_report_is_rebuilt_from_every_row_and_renamed_into_place(copy, monkeypatch):
    """regrade._class_report with a stand-in class report (another module writes the real one):
    it sees every row, the cached findings of the others, the new row, and lands in DIR."""
    import types

    from autograder import regrade
    from autograder.config import load_config
    from autograder.discovery import discover

    seen = []

    def write_class_report(folder, results):
        seen.extend(results)
        (Path(folder) / "class_report.json").write_text(json.dumps([r["student"] for r in seen]))

    monkeypatch.setitem(sys.modules, "autograder.reports.class_report",
                        types.SimpleNamespace(write_class_report=write_class_report))
    out = copy / "out"
    assert grade(copy, out).returncode == 0        # (re)fills the cache under this tree's grader fingerprint
    rows, _ = regrade.load_previous(out)
    config = load_config(copy / "assignment.json")
    new = dict(rows[1], score=1.0)
    regrade._class_report(out, discover([copy / "submitted"]), rows, config, 1, new)
    assert [r["student"] for r in seen] == ["ada", "bob", "cy", "dee", "eve"]
    assert seen[1] is new
    assert all("functions" in r and r["score"] == row["score"] for r, row in zip(seen, rows) if r is not new)
    assert json.loads((out / "class_report.json").read_text()) == ["ada", "bob", "cy", "dee", "eve"]
    assert not list((out / ".rnngrade").glob(".class-report-*"))
