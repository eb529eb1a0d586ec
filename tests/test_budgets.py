"""Time limits per call and per question: a hang costs only its own questions.

Submissions here are trusted test code written into tmp_path (or built from
the answer key); they run through SandboxedStudent all the same.
"""

import textwrap

import pytest

from autograder.sandbox import Limits, SandboxedStudent
from autograder.student import LocalStudent

SLEEPER = '''
import time

def nap(seconds):
    time.sleep(seconds)
    return seconds

def spin():
    while True:
        pass
'''


def _sandboxed(tmp_path, source, **limits):
    path = tmp_path / "sub.py"
    path.write_text(textwrap.dedent(source))
    return SandboxedStudent(path, Limits(**limits))


def test_call_timeout_overrides_call_seconds(tmp_path):
    """timeout= is this call's limit: shorter than call_seconds stops the call."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=60, submission_seconds=120) as student:
        out = student.call("nap", 30, timeout=1)
    assert out.kind == "timeout"
    assert "within 1 s" in out.error


def test_call_timeout_can_be_longer_than_call_seconds(tmp_path):
    """timeout= may also allow a call more time than call_seconds."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=0.5, submission_seconds=120) as student:
        out = student.call("nap", 1.5, timeout=30)
    assert out.ok, out.error
    assert out.value == 1.5


def test_local_student_records_seconds_with_timeout():
    """LocalStudent cannot enforce timeout=; it accepts it and records the time."""
    import time
    student = LocalStudent({"nap": lambda s: time.sleep(s) or s})
    out = student.call("nap", 0.05, timeout=0.01)
    assert out.ok
    assert out.seconds >= 0.05
