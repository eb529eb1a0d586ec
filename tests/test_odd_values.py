"""A student's return value can cost only that function's points.

Values that no check can handle (ints far outside float range such as
10**400, lists nested 200 deep) are normalised where they cross from the
student: student.tame, applied by LocalStudent.call and by SandboxedStudent
to every decoded reply.
The hostile fixture huge_int_values.py runs only in the sandbox.
"""

import math

import numpy as np

import solutions
from autograder.grading import grade_source, grade_student
from autograder.sandbox import SandboxedStudent
from autograder.spec import FUNCTIONS
from autograder.student import VALUE_DEPTH, LocalStudent, OversizedValue, tame
from hostile_fixtures import hostile_dir, zeros_source


def test_tame_turns_ints_beyond_int64_into_floats_and_keeps_the_rest():
    assert tame(10 ** 400) == math.inf and tame(-10 ** 400) == -math.inf
    assert tame(2 ** 70) == float(2 ** 70) and type(tame(2 ** 70)) is float
    got = tame(({"a": [1, 10 ** 400]}, True, "x"))
    assert got == ({"a": [1, math.inf]}, True, "x") and type(got) is tuple
    same = ({"a": [1, 2.5]}, np.ones(2))
    assert tame(same) is same


def test_tame_replaces_containers_nested_too_deeply():
    deep = 1.0
    for _ in range(200):
        deep = [deep]
    got = tame((deep, 2))
    for _ in range(VALUE_DEPTH):       # the tuple, then 31 lists
        got = got[0]
    assert isinstance(got, OversizedValue)


def test_deeply_nested_values_cost_only_their_points():
    """numpy refuses more than 64 dimensions: a check's np.shape used to fail."""
    deep = 1.0
    for _ in range(200):
        deep = [deep]
    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns["gru_forward"] = lambda x, h0, params: (deep, deep)
    grade = grade_student(LocalStudent(ns))
    assert grade.status == "graded", grade.notes
    assert grade.functions["gru_forward"].score == 0


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


def test_deeply_nested_fixture_is_graded_through_the_sandbox():
    with SandboxedStudent(hostile_dir() / "deeply_nested_values.py") as student:
        grade = grade_student(student, "deep")
    assert grade.status == "graded", (grade.reason, grade.notes)
    for name in ("gru_forward", "rnn_forward", "clip_grad_norm"):
        assert grade.functions[name].score == 0, grade.functions[name].feedback
