"""Does `rnngrade grade` give every submission a row, stable JSON and the files an instructor needs?"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import batch, cli
from autograder.spec import MAX_SCORE, QUESTION_IDS
from autograder.submissions import reference_source, stub_source, to_notebook, write_notebook


def run_cli(*args):
    """The real console entry point, in a subprocess, as an instructor runs it."""
    return subprocess.run([sys.executable, "-m", "autograder.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("class")
    (d / "ada.py").write_text(reference_source())
    (d / "stub.py").write_text(stub_source())
    write_notebook(to_notebook(reference_source()), d / "nb_student.ipynb")
    (d / "broken.ipynb").write_text("{ this is not json")
    (d / "syntax.py").write_text("def rnn_step_forward(:\n")
    return d


# -- discovery ---------------------------------------------------------------

def test_discover_names_rows_after_nbgrader_student_folders(tmp_path):
    for student in ("s1", "s2"):
        p = tmp_path / "submitted" / student / "ps1"
        p.mkdir(parents=True)
        (p / "ps1.ipynb").write_text("{}")
        (p / ".ipynb_checkpoints").mkdir()
        (p / ".ipynb_checkpoints" / "ps1-checkpoint.ipynb").write_text("{}")
    subs = batch.discover([tmp_path / "submitted"])
    assert [s.student for s in subs] == ["s1", "s2"]


def test_discover_plain_folders_explicit_files_and_collisions(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "bob.py").write_text("")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "bob.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    subs = batch.discover([tmp_path / "a", tmp_path / "b", tmp_path / "notes.txt"])
    assert sorted(s.student for s in subs) == ["bob", "bob-2", "notes"]


def test_a_wrong_suffix_or_missing_file_gets_an_error_row(tmp_path):
    (tmp_path / "essay.docx").write_bytes(b"PK\x03\x04")
    # (a missing PATH is a usage error now: tests/test_discover.py; a file gone after discovery is a row)
    subs = batch.discover([tmp_path / "essay.docx"]) + [batch.Submission("gone", tmp_path / "gone.py")]
    rows = [batch.grade_one(s) for s in subs]
    assert all(r["status"] == "error" and r["score"] == 0 for r in rows)
    assert "not a .py or .ipynb" in rows[0]["reason"]
    assert "does not exist" in rows[1]["reason"]


def test_misuse_exits_with_2(tmp_path):
    assert cli.main(["grade", str(tmp_path)]) == 2          # an empty folder: nothing to grade
    assert cli.main(["grade", "x.py", "--jobs", "0"]) == 2


# -- the whole command -------------------------------------------------------

@pytest.mark.slow
def test_json_document_follows_the_spec(class_folder):
    proc = run_cli("grade", class_folder, "--json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    rows = {r["student"]: r for r in doc["submissions"]}
    assert set(rows) == {"ada", "stub", "nb_student", "broken", "syntax"}
    for r in rows.values():
        assert set(r) <= {"student", "score", "raw_score", "late_penalty", "max_score", "status", "questions",
                          "reason", "notes"}
        assert r["max_score"] == MAX_SCORE
        assert [q["id"] for q in r["questions"]] == list(QUESTION_IDS)
        assert all(isinstance(line, str) for q in r["questions"] for line in q["feedback"])
        assert r["score"] == pytest.approx(sum(q["score"] for q in r["questions"]))
    assert rows["ada"]["score"] == MAX_SCORE and rows["ada"]["status"] == "graded"
    assert rows["nb_student"]["score"] == MAX_SCORE
    assert rows["stub"]["score"] == 0 and rows["stub"]["status"] == "graded"
    for bad in ("broken", "syntax"):
        assert rows[bad]["status"] == "error" and rows[bad]["score"] == 0 and rows[bad]["reason"]


@pytest.mark.slow
def test_the_same_submissions_give_byte_identical_json(class_folder):
    first = run_cli("grade", class_folder / "ada.py", class_folder / "stub.py", "--json", "--jobs", "1")
    second = run_cli("grade", class_folder / "stub.py", class_folder / "ada.py", "--json", "--jobs", "2")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


@pytest.mark.slow
def test_out_folder_has_grades_feedback_and_gradescope_results_and_resumes(class_folder, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("grade", class_folder, "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "ada" in proc.stdout and "mean score" in proc.stdout          # the grade table
    with open(out / "grades.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["student"] for r in table] == sorted(r["student"] for r in table)
    assert list(table[0]) == ["student", *QUESTION_IDS, "raw_score", "late_penalty", "score", "max_score",
                              "status", "reason", "submitted_at", "time_source"]
    assert {r["time_source"] for r in table} == {""}           # no due date: no time recorded
    for student in ("ada", "stub", "broken"):
        assert (out / "feedback" / f"{student}.md").read_text().startswith(f"# Feedback for {student}")
        assert "<svg" in (out / "feedback" / "ada.html").read_text()
        gs = json.loads((out / "gradescope" / student / "results.json").read_text())
        assert {t["name"] for t in gs["tests"]} == set(QUESTION_IDS)
    # An interrupted batch resumes: finished results are reused, not regraded.
    before = (out / "grades.csv").read_text()
    again = run_cli("grade", class_folder, "--out", out, "--jobs", "2")
    assert again.stderr.count("[cached]") == 5
    assert (out / "grades.csv").read_text() == before


def test_the_assignment_config_sets_the_limits(tmp_path):
    from autograder.config import ConfigError, load_config
    from autograder.sandbox import Limits

    assert load_config().limits == Limits()          # the bundled config holds the defaults
    good = tmp_path / "a.json"
    good.write_text('{"name": "rnn", "limits": {"call_seconds": 2.5, "memory_bytes": 1073741824}}')
    cfg = load_config(good)
    assert cfg.limits.call_seconds == 2.5 and cfg.limits.memory_bytes == 1 << 30
    for text, words in [('{"limits": {"call_secs": 1}}', "unknown limit"),
                        ('{"limts": {}}', "unknown key"),
                        ('{"limits": {"call_seconds": "fast"}}', "invalid value"),
                        ('[1, 2]', "JSON object"), ("{nope", "cannot read")]:
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(ConfigError, match=words):
            load_config(bad)
    assert cli.main(["grade", str(good), "--config", str(bad)]) == 2


@pytest.mark.slow
def test_a_shorter_call_limit_from_the_config_is_applied(tmp_path):
    (tmp_path / "slow.py").write_text("import time\ndef chain_product(factors):\n    time.sleep(5)\n    return 1.0\n")
    cfg = tmp_path / "a.json"
    cfg.write_text('{"limits": {"call_seconds": 0.5, "submission_seconds": 4}}')
    proc = run_cli("grade", tmp_path / "slow.py", "--json", "--config", cfg)
    text = "\n".join(json.loads(proc.stdout)["submissions"][0]["questions"][0]["feedback"])
    assert "did not finish within 0.5 s" in text or "time budget" in text


@pytest.mark.slow
def test_a_terminal_gets_a_progress_bar_and_a_pipe_gets_plain_lines(class_folder):
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", str(class_folder / "ada.py"),
                             str(class_folder / "stub.py"), "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:                      # the terminal closed
            break
        if not chunk:
            break
        data += chunk
    proc.wait(timeout=120)
    os.close(master)
    assert b"grading" in data and b"2/2" in data               # tqdm's bar
    assert b"[1/2]" not in data
    piped = run_cli("grade", class_folder / "ada.py", class_folder / "stub.py", "--jobs", "1")
    assert "[1/2] ada: 100/100 graded" in piped.stderr or "[1/2] stub" in piped.stderr


def test_students_whose_ids_map_to_the_same_file_name_keep_separate_feedback(tmp_path):
    from autograder import report
    from autograder.grading import error_grade

    rows = [error_grade(s, f"reason of {s}").to_dict() for s in ("a b", "a_b", "A_B", "../x")]
    report.write_outputs(tmp_path, rows)
    files = sorted(p.name for p in (tmp_path / "feedback").glob("*.md"))
    assert len(files) == 4
    texts = "".join((tmp_path / "feedback" / f).read_text() for f in files)
    assert all(f"reason of {s}" in texts for s in ("a b", "a_b", "A_B", "../x"))
    assert not (tmp_path.parent / "x.md").exists()


_PARENT_PID = []


def _fragile_grade_one(sub, limits=None, prestart=False):
    """grade_one whose worker process dies on student "b" (module level: the pool pickles it by name)."""
    import os

    from autograder.grading import error_grade

    in_worker = os.getpid() != _PARENT_PID[0]
    if in_worker and sub.student == "b":
        os._exit(1)                                  # the worker process dies
    return error_grade(sub.student, f"graded in {'worker' if in_worker else 'parent'}").to_dict()


def test_a_grading_worker_that_dies_loses_no_submission(tmp_path, monkeypatch):
    """A pool worker killed from outside breaks the pool; the unfinished rows are graded again."""
    import os

    _PARENT_PID[:] = [os.getpid()]
    monkeypatch.setattr(batch, "grade_one", _fragile_grade_one)
    subs = [batch.Submission(s, tmp_path / f"{s}.py") for s in "abcdef"]
    rows = batch.grade_batch(subs, jobs=2, out_dir=tmp_path / "out")
    assert [r["student"] for r in rows] == list("abcdef")
    assert rows[1]["reason"] == "graded in parent"
    assert len(list((tmp_path / "out" / ".rnngrade" / "results").glob("*.json"))) == 6


@pytest.mark.slow
def test_an_interrupted_batch_resumes_without_regrading_and_leaves_no_process(tmp_path):
    import os
    import signal
    import time

    import psutil

    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(12):
        (folder / f"s{i:02d}.py").write_text(reference_source() if i % 2 else stub_source())
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", str(folder), "--out", str(out),
                             "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    results = out / ".rnngrade" / "results"
    ours = {}                                         # every process of this batch seen: pid -> start time

    def watch(until, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            try:
                ours.update((c.pid, c.create_time()) for c in psutil.Process(proc.pid).children(recursive=True))
            except psutil.Error:
                pass
            time.sleep(0.05)

    watch(lambda: len(list(results.glob("*.json"))) >= 2, 120)
    os.killpg(proc.pid, signal.SIGINT)                # Ctrl-C on the terminal's process group
    watch(lambda: proc.poll() is not None, 60)
    proc.communicate(timeout=60)
    stored = {p.name: p.stat().st_mtime_ns for p in results.glob("*.json")}
    finished = len(stored)
    assert 2 <= finished
    time.sleep(0.5)
    # (only this batch's processes: other test runs on the machine have sandboxes of their own)
    leftovers = [p for p in psutil.process_iter(["cmdline", "create_time"])
                 if "autograder.sandbox.boot" in " ".join(p.info["cmdline"] or [])
                 and ours.get(p.pid) == p.info["create_time"]]
    assert not leftovers
    again = run_cli("grade", folder, "--out", out, "--jobs", "2")
    assert again.returncode == 0, again.stderr[-2000:]
    # Nothing graded twice: exactly the finished ones come from the cache, untouched; the rest
    # are graded once each. Nothing lost: every student has one row and one stored result.
    lines = again.stderr.splitlines()
    assert sum(line.startswith("[cached]") for line in lines) == finished
    assert sum(line.endswith(" graded") and "/12]" in line for line in lines) == 12 - finished
    assert sorted(line.split("] ")[1].split(":")[0] for line in lines if line.startswith("[")) == \
        [f"s{i:02d}" for i in range(12)]
    assert all(results.joinpath(name).stat().st_mtime_ns == t for name, t in stored.items())
    assert len(list(results.glob("*.json"))) == 12
    rows = json.loads((out / "grades.json").read_text())["submissions"]
    assert len(rows) == 12 and all(r["status"] == "graded" for r in rows)


def test_the_command_line_loads_no_front_end_it_does_not_run():
    """Building rnngrade's parser imports each command's options only: nbgrader,
    nbformat's schema checker (seconds of grammar compiling), canvasapi and the
    PDF tools load with their own command (every `rnngrade grade` paid about
    2 s for nbgrader_sync's imports)."""
    heavy = ("nbgrader", "jsonschema", "rfc3987_syntax", "canvasapi", "markdown_it", "latex2mathml")
    code = ("import sys, autograder.cli; autograder.cli.build_parser(); "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    assert out.strip() == "[]"
