"""bench/load.py on a tiny class: it grades two sizes, kills a batch and resumes it, and reports.

Timings are never asserted; only that every submission got one row, the kill-and-resume
check passed (each submission graded once, the stored results reused untouched) and the
table was written.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_load_bench_runs_and_its_resume_check_passes(tmp_path):
    raw, md = tmp_path / "load.json", tmp_path / "load.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--sizes", "3,5", "--resume-k", "5",
                           "--seed", "3", "--raw", str(raw), "--markdown", str(md)],
                          capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(raw.read_text())
    assert [r["rows"] for r in data["runs"]] == [3, 5]
    check = data["resume"]
    assert check["ok"] and check["each_once"] and check["stored_untouched"]
    assert check["from_cache"] == check["killed_at"] >= 1
    assert check["graded_again"] == 5 - check["killed_at"]
    assert "kill and resume" in md.read_text()
