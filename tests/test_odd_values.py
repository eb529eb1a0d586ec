"""A student's return value can cost only that function's points.

Values that no check can handle (ints far outside float range such as
10**400) are normalised where they cross from the student: LocalStudent's
call (student.tame) and the sandbox protocol's decode (student.tame_int).
The hostile fixture huge_int_values.py runs only in the sandbox.
"""

import math

import numpy as np

import solutions
from autograder.grading import grade_source, grade_student
from autograder.sandbox import SandboxedStudent
from autograder.sandbox import protocol as P
from autograder.spec import FUNCTIONS
from autograder.student import LocalStudent, tame
from hostile_fixtures import hostile_dir, zeros_source


def test_tame_turns_ints_beyond_int64_into_floats_and_keeps_the_rest():
    assert tame(10 ** 400) == math.inf and tame(-10 ** 400) == -math.inf
    assert tame(2 ** 70) == float(2 ** 70) and type(tame(2 ** 70)) is float
    got = tame(({"a": [1, 10 ** 400]}, True, "x"))
    assert got == ({"a": [1, math.inf]}, True, "x") and type(got) is tuple
    same = ({"a": [1, 2.5]}, np.ones(2))
    assert tame(same) is same


def test_protocol_decodes_huge_ints_as_floats():
    blobs = []
    node = P.encode([10 ** 400, -(10 ** 400), -(10 ** 300), 7], blobs, lambda v: None)
    assert P.decode(node, blobs, None) == [math.inf, -math.inf, -1e300, 7]


def test_huge_ints_from_clip_grad_norm_cost_only_its_points():
    """It used to end in "internal error of the autograder while checking clip_grad_norm"."""
    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns["clip_grad_norm"] = lambda grads, max_norm: ({k: 10 ** 400 for k in grads}, 1.0)
    grade = grade_student(LocalStudent(ns))
    assert grade.status == "graded", grade.notes
    clip = grade.functions["clip_grad_norm"]
    assert clip.score < clip.max_score
    assert grade.score == grade.max_score - (clip.max_score - clip.score)


def test_huge_int_fixture_is_graded_through_the_sandbox():
    with SandboxedStudent(hostile_dir() / "huge_int_values.py") as student:
        grade = grade_student(student, "huge")
    assert grade.status == "graded", (grade.reason, grade.notes)
    assert grade.score <= grade_source(zeros_source(), "zeros").score
    for name in ("decay_rate", "clip_grad_norm", "chain_product"):
        assert grade.functions[name].score == 0, grade.functions[name].feedback
