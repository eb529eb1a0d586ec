"""A large batch: the grading process's memory does not grow with the class, the result cache
stays bounded, every submission is graded exactly once, and the --json document is streamed
(issue 7, "Load"; bench/load.py measures the same on 5,000 submissions).

grade_one is replaced by module-level stand-ins (the pool pickles them by name): no
submission code runs here.
"""

import io
import os
import tracemalloc
from pathlib import Path

from autograder import batch, report
from autograder.grading import error_grade

BIG = 200_000                          # characters of feedback in each stand-in result
_LOG = []                              # the stand-ins' log file, set by each test


def _big_grade_one(sub, limits=None, prestart=False):
    """A result as large as a long feedback file, and one line in the log per call."""
    with open(_LOG[0], "a", encoding="utf-8") as f:
        f.write(sub.student + "\n")
    result = error_grade(sub.student, "stand-in").to_dict()
    result["notes"] = ["x" * BIG]
    return result


def _class(tmp_path, n):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(n):
        (folder / f"s{i:03d}.py").write_text(f"# student {i}\n")
    return batch.discover([folder])


def _graded(log):
    return Path(log).read_text(encoding="utf-8").split()


def test_the_parent_keeps_no_result_in_memory_while_a_batch_runs(tmp_path, monkeypatch):
    """60 results of 200 kB pass through the parent; it never holds more than a few at a time
    (before: every finished future and every result stayed referenced until the end)."""
    subs = _class(tmp_path, 60)
    _LOG[:] = [tmp_path / "log"]
    monkeypatch.setattr(batch, "grade_one", _big_grade_one)
    tracemalloc.start()
    try:
        results = batch.grade_batch(subs, jobs=2, out_dir=tmp_path / "out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * BIG, f"peak {peak / 1e6:.1f} MB for 60 results of {BIG / 1e6} MB"
    assert [r["student"] for r in results] == [s.student for s in subs]
    assert all(len(r["notes"][0]) == BIG for r in results)        # read back from the cache


def test_every_submission_is_graded_once_and_resumed_without_regrading(tmp_path, monkeypatch):
    subs = _class(tmp_path, 30)
    _LOG[:] = [tmp_path / "log"]
    monkeypatch.setattr(batch, "grade_one", _big_grade_one)
    out = tmp_path / "out"
    batch.grade_batch(subs[:12], jobs=2, out_dir=out)             # an interrupted run, as far as it got
    seen = []
    results = batch.grade_batch(subs, jobs=2, out_dir=out, progress=lambda d, t, r: seen.append(d))
    graded = _graded(_LOG[0])
    assert sorted(graded) == sorted(s.student for s in subs)      # each exactly once over both runs
    assert seen.count(None) == 12 and len(seen) == 30
    assert len(list((out / ".rnngrade" / "results").glob("*.json"))) == 30
    assert [r["student"] for r in results] == [s.student for s in subs]


def test_the_cache_keeps_only_this_graders_results_and_no_dead_temporary_file(tmp_path):
    d = tmp_path / ".rnngrade" / "results"
    d.mkdir(parents=True)
    current = d / f"{batch.grader_fingerprint()}-{'a' * 64}.json"
    old_grader = d / f"{'0' * 16}-{'a' * 64}.json"
    old_format = d / f"{'b' * 64}.json"
    dead_tmp = d / f"{current.name}.tmp999999999"
    live_tmp = d / f"{current.name}.tmp{os.getpid()}"
    for p in (current, old_grader, old_format, dead_tmp, live_tmp):
        p.write_text("{}")
    batch.prune_cache(tmp_path)
    assert sorted(p.name for p in d.iterdir()) == sorted([current.name, live_tmp.name])


def test_the_json_document_is_streamed_byte_for_byte(tmp_path):
    rows = [error_grade(s, f"reason \u202e{s}").to_dict() for s in ("a", "b\u0085", "c")]
    for some in (rows, rows[:1], []):
        stream = io.StringIO()
        batch.write_document(stream, iter(some), report.json_text)
        assert stream.getvalue() == report.json_text({"submissions": some})
