"""Reading a submission is cheap and bounded in the grading process.

The parent only opens the file safely (no link followed, no FIFO waited
on, at most the size cap read) and checks JSON and the notebook schema;
converting IPython syntax (magics, !commands), which can take minutes,
happens in the child under the load time limit.
"""

import json
import os
import subprocess
import sys

import nbformat
import pytest

from autograder.sandbox import Limits, SandboxedStudent
from autograder.sandbox.notebook import read_submission

SHELL_LINES = 10_000           # about 146 KB of `!echo` lines: minutes of IPython's time


def _write_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    path.write_text(nbformat.writes(nb))
    return path


def notebook_many_shell_lines(folder):
    """tests/files/hostile/notebook_many_shell_lines.ipynb, generated: a
    notebook of many `!cmd` lines (the trick: IPython's conversion of each
    line costs milliseconds, so 146 KB cost minutes of the parent's CPU)."""
    lines = "".join(f"!echo line {i}\n" for i in range(SHELL_LINES))
    path = _write_notebook(folder / "notebook_many_shell_lines.ipynb",
                           ["import numpy as np", lines, "def chain_product(factors):\n    return 0.0\n"])
    assert path.stat().st_size > 140_000
    return path


# ------------------------------------------------------------------ parsing in the child

def test_parent_leaves_cells_as_written(tmp_path):
    """The parent does not run IPython's transformer: cells reach the child as written."""
    path = notebook_many_shell_lines(tmp_path)
    sub = read_submission(path)
    assert sub.ok and sub.kind == "ipynb"
    assert sub.cells[1][1].startswith("!echo line 0\n")


def test_slow_notebook_parsing_is_stopped_by_the_load_limit(tmp_path):
    path = notebook_many_shell_lines(tmp_path)
    with SandboxedStudent(path, Limits(load_seconds=3)) as s:
        load = s.load
    assert not load.ok
    assert "cells took longer than 3 s to parse" in load.reason, load.reason


def test_magics_and_shell_lines_still_work(tmp_path):
    """Cells with IPython syntax are converted in the child, then run."""
    path = _write_notebook(tmp_path / "nb.ipynb", [
        "%matplotlib inline\n!ls\nimport numpy as np",
        "%%time\ndef f():\n    return 2",
        "def g(:\n    pass",
    ])
    with SandboxedStudent(path) as s:
        assert s.load.ok, s.load.reason
        assert s.call("f").value == 2
        notes = " | ".join(s.load.notes)
    assert "The submission's cell 3 has a syntax error on line 1" in notes, notes


@pytest.mark.slow
def test_rnngrade_gives_a_slow_notebook_a_row_with_the_reason(tmp_path):
    """The command finishes and the row says which limit stopped it."""
    path = notebook_many_shell_lines(tmp_path)
    config = tmp_path / "assignment.json"
    config.write_text(json.dumps({"limits": {"load_seconds": 3}}))
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(path), "--json",
                          "--quiet", "--jobs", "1", "--config", str(config)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    row = json.loads(run.stdout)["submissions"][0]
    assert row["status"] == "error" and "longer than 3 s to parse" in row["reason"], row


# ------------------------------------------------------------------ opening the file

def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "student.py"
    os.mkfifo(fifo)
    sub = read_submission(fifo)        # must not block: nobody writes to it
    assert not sub.ok and "is a FIFO, not a regular file" in sub.reason


def test_a_symbolic_link_is_not_followed(tmp_path):
    target = tmp_path / "real.py"
    target.write_text("def f():\n    return 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    sub = read_submission(link)
    assert not sub.ok and "is a symbolic link; links are not followed" in sub.reason


def test_a_folder_is_not_a_submission(tmp_path):
    folder = tmp_path / "dir.py"
    folder.mkdir()
    sub = read_submission(folder)
    assert not sub.ok and "is a folder, not a regular file" in sub.reason


def test_a_sparse_file_over_the_cap_is_refused_after_reading_the_cap(tmp_path):
    big = tmp_path / "big.py"
    with open(big, "wb") as f:
        f.truncate(1 << 40)            # 1 TiB of holes: reading it all would never end
    sub = read_submission(big, max_bytes=1 << 20)
    assert not sub.ok and "larger than 1 MiB" in sub.reason


def test_read_stops_at_the_cap(tmp_path, monkeypatch):
    """At most cap + 1 bytes are read, in chunks, never the whole file."""
    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * 100_000)
    read = []
    real_read = os.read

    def counting_read(fd, n):
        data = real_read(fd, n)
        read.append(len(data))
        return data
    monkeypatch.setattr(os, "read", counting_read)
    sub = read_submission(big, max_bytes=1000)
    assert not sub.ok and sum(read) == 1001


@pytest.mark.parametrize("source", ["x = 1\n", ["x = ", "1\n"]], ids=["str", "lines"])
def test_a_notebook_of_very_many_cells_skips_the_schema_check(tmp_path, source):
    """nbformat's schema check costs the grading process CPU per cell (outside every
    limit): past MAX_VALIDATED_CELLS only the structure grading needs is checked."""
    from autograder.sandbox.notebook import MAX_VALIDATED_CELLS

    n = MAX_VALIDATED_CELLS + 1
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": source} for _ in range(n)]}
    path = tmp_path / "many.ipynb"
    path.write_text(json.dumps(nb))
    sub = read_submission(path)
    assert sub.ok and len(sub.cells) == n and sub.cells[0][1] == "x = 1\n"
    assert any("only their structure was checked" in note for note in sub.notes)


def test_a_notebook_whose_cells_are_not_cells_is_refused(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ["x = 1"]}))
    sub = read_submission(path)
    assert not sub.ok and "does not follow the Jupyter notebook format" in sub.reason
