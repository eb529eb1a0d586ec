"""The resume cache: a result is reused only for the same student id, content, grader and limits.

The key hashes a framed (JSON) list of its fields, so no content can borrow another student's id.
grade_one is replaced by a stand-in that names who was graded: no submission code runs here.
"""

from autograder import batch
from autograder.grading import error_grade
from autograder.sandbox.limits import Limits

CONTENT = "def rnn_step_forward(x, h, Wx, Wh, b):\n    return None\n"


def _stand_in(calls):
    def grade_one(sub, limits=None, prestart=False):
        calls.append(sub.student)
        return error_grade(sub.student, f"graded {sub.student} from {sub.path.name}").to_dict()
    return grade_one


def test_content_and_id_cannot_run_into_each_other(tmp_path):
    """alice.py holding C and ice.py holding C + "al": the old unframed hash made both C+"alice"."""
    (tmp_path / "alice.py").write_text(CONTENT)
    (tmp_path / "ice.py").write_text(CONTENT + "al")
    alice = batch.Submission("alice", tmp_path / "alice.py")
    ice = batch.Submission("ice", tmp_path / "ice.py")
    assert batch.result_key(alice) != batch.result_key(ice)


def test_a_resumed_batch_never_gives_one_students_result_to_another(tmp_path, monkeypatch):
    (tmp_path / "alice.py").write_text(CONTENT)
    (tmp_path / "ice.py").write_text(CONTENT + "al")
    calls = []
    monkeypatch.setattr(batch, "grade_one", _stand_in(calls))
    out = tmp_path / "out"
    batch.grade_batch(batch.discover([tmp_path / "ice.py"]), jobs=1, out_dir=out)
    rows = batch.grade_batch(batch.discover([tmp_path]), jobs=1, out_dir=out)
    assert [r["student"] for r in rows] == ["alice", "ice"]
    assert rows[0]["reason"] == "graded alice from alice.py"
    assert calls == ["ice", "alice"]                          # ice came from the cache the second time


def test_the_key_holds_the_id_exactly_and_everything_the_result_depends_on(tmp_path):
    (tmp_path / "a.py").write_text(CONTENT)
    sub = batch.Submission("alice", tmp_path / "a.py")
    key = batch.result_key(sub)
    others = [batch.Submission("Alice", sub.path), batch.Submission("alice ", sub.path),
              batch.Submission("alice", sub.path, notes=("renamed",)),
              batch.Submission("alice", sub.path, problem="a symbolic link")]
    assert len({key} | {batch.result_key(o) for o in others}) == 1 + len(others)
    assert batch.result_key(sub, Limits(call_seconds=5.0)) != key
    assert batch.result_key(batch.Submission("alice", tmp_path / "a.py")) == key   # and it is stable
    (tmp_path / "a.py").write_text(CONTENT + "\n")
    assert batch.result_key(sub) != key


def test_a_file_over_the_limit_is_keyed_on_what_is_read(tmp_path):
    """Only cap + 1 bytes are hashed: two files that differ beyond them share a key (both are refused)."""
    limits = Limits(submission_bytes=8)
    (tmp_path / "a.py").write_bytes(b"x" * 9 + b"tail one")
    (tmp_path / "b.py").write_bytes(b"x" * 9 + b"tail two")
    (tmp_path / "c.py").write_bytes(b"x" * 8)
    key = lambda name: batch.result_key(batch.Submission("s", tmp_path / name), limits)
    assert key("a.py") == key("b.py") != key("c.py")
    row = batch.grade_one(batch.Submission("s", tmp_path / "a.py"), limits)
    assert row["status"] == "error" and "larger than 8 bytes" in row["reason"]
