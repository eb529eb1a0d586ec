"""Text from the child is untrusted: capped, one line, labelled as the submission's.

Student code can reach the worker's protocol objects (gc) and send any
reply, nonce included. The fixtures forge_loaded_reply.py and
forge_load_failure_reply.py (tests/files/hostile/) do; they run only in the
sandbox: through SandboxedStudent or the `rnngrade grade` command.
"""

import csv
import json
import shutil
import subprocess
import sys

import pytest

from autograder.sandbox import SandboxedStudent
from hostile_fixtures import hostile_dir

HOSTILE = hostile_dir()          # the fixtures composed with tests/files/zeros.py
FORGED = ("mallory", "HYPERLINK", "\n", "\x1b", "\u202e")


def _one_capped_line(text, cap=400):
    return "\n" not in text and "\x1b" not in text and "\u202e" not in text and len(text) <= cap


def test_forged_loaded_reply_gives_labelled_one_line_notes():
    with SandboxedStudent(HOSTILE / "forge_loaded_reply.py") as s:
        load = s.load
        assert load.ok, load.reason
        assert load.notes, "the forged note was dropped instead of being labelled"
        for note in load.notes:
            assert note.startswith("The submission's file raised "), note
            assert _one_capped_line(note), note
        for name in load.functions:
            assert name.isidentifier() and len(name) <= 100, name
        assert "chain_product" in load.functions
        assert s.call("chain_product", [2.0]).value == 0.0


def test_forged_exception_reply_is_one_labelled_line():
    with SandboxedStudent(HOSTILE / "forge_loaded_reply.py") as s:
        out = s.call("decay_rate", [1.0, 0.5])
    assert out.kind == "exception"
    assert out.error.startswith("raised ValueError"), out.error
    assert _one_capped_line(out.error), out.error
    for name in out.exc_types:
        assert _one_capped_line(name, 100), name


def test_forged_load_failure_reason_is_labelled():
    with SandboxedStudent(HOSTILE / "forge_load_failure_reply.py") as s:
        load = s.load
    assert not load.ok
    assert load.reason.startswith("The submission failed while loading: "), load.reason
    assert _one_capped_line(load.reason), load.reason


def _grade(tmp_path, name, *extra):
    sub = tmp_path / "in" / name
    sub.parent.mkdir()
    shutil.copy(HOSTILE / name, sub)
    out = tmp_path / "out"
    return subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(sub), "--out", str(out),
                           "--jobs", "1", "--quiet", *extra],
                          capture_output=True, text=True, timeout=600), out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["forge_loaded_reply.py", "forge_load_failure_reply.py"])
def test_forged_replies_add_no_row_to_the_table_csv_or_json(tmp_path, name):
    run, out = _grade(tmp_path, name, "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert len(doc["submissions"]) == 1
    result = doc["submissions"][0]
    texts = [result.get("reason", "")] + result.get("notes", [])
    for text in texts:
        assert _one_capped_line(text), text
        assert not text or text.startswith("The submission"), text
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 2, rows
    assert not any(cell.startswith("=") for cell in rows[1])
    assert not any("\n" in cell for cell in rows[1])
    table = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(tmp_path / "in"),
                            "--jobs", "1", "--quiet"], capture_output=True, text=True, timeout=600)
    assert not any(line.lstrip("| ").startswith("mallory") for line in table.stdout.splitlines())


def test_printed_output_keeps_newlines_and_escapes_control_characters(tmp_path):
    path = tmp_path / "loud.py"
    path.write_text("def shout():\n    print('one\\x1b[2J\\u202etwo\\nthree')\n    return 1\n")
    with SandboxedStudent(path) as s:
        assert s.call("shout").value == 1
        out, _ = s.output()
    assert out == "one\\x1b[2J\\u202etwo\nthree\n"


def test_a_reply_with_forged_field_names_breaks_no_message():
    """A protocol error names the unexpected fields: those names are the child's text too."""
    with SandboxedStudent(HOSTILE / "forge_loaded_reply.py") as s:
        out = s.call("forge_field_names")
    assert out.kind == "crash" and "broke the grading protocol" in out.error
    assert _one_capped_line(out.error), out.error
