"""Do the checks give the answer key full marks, the stub zero, and bugs the right feedback?

These run in-process on trusted code (LocalStudent); the sandboxed path is
tested in test_sandbox*.py and test_cli.py.
"""

import numpy as np
import pytest

import solutions
from autograder.compare import check_array, check_number
from autograder.grading import grade_student
from autograder.spec import CONSISTENT_BACKWARD_CREDIT, FUNCTIONS, MAX_SCORE, QUESTIONS, question_of
from autograder.student import LocalStudent


def student_with(**overrides):
    """The answer key with some functions replaced (or removed with None)."""
    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    for name, fn in overrides.items():
        if fn is None:
            ns.pop(name)
        else:
            ns[name] = fn
    return LocalStudent(ns)


@pytest.fixture(scope="module")
def reference_grade():
    return grade_student(LocalStudent(solutions), "reference")


def test_reference_gets_full_marks_on_every_question(reference_grade):
    assert reference_grade.score == MAX_SCORE
    for q in reference_grade.questions:
        assert q.score == q.max_score, q.feedback


def test_grading_is_deterministic(reference_grade):
    """Does the same submission always get the same score and the same messages?"""
    bug = student_with(rnn_step_forward=lambda x, h, Wx, Wh, b: solutions.rnn_step_forward(x, h, Wx, Wh.T, b))
    assert grade_student(bug, "s").to_dict() == grade_student(bug, "s").to_dict()


def test_question_points_add_up():
    assert MAX_SCORE == 100
    assert {q.id for q in QUESTIONS} == {f"q{i}" for i in range(7)}
    assert len(FUNCTIONS) == 19


@pytest.mark.parametrize("missing", ["rnn_forward", "decay_rate", "clip_grad_value"])
def test_a_missing_function_costs_only_its_own_points(missing):
    grade = grade_student(student_with(**{missing: None}))
    fgrade = grade.functions[missing]
    assert fgrade.score == 0
    assert any("is not defined" in line for line in fgrade.feedback)
    lost = MAX_SCORE - grade.score
    # rnn_forward also blocks rnn_backward (it needs the forward's cache)
    allowed = fgrade.max_score + (grade.functions["rnn_backward"].max_score if missing == "rnn_forward" else 0)
    assert 0 < lost <= allowed


def test_a_missing_function_is_named_once_in_each_message():
    """Does "could not test `b`: `f` is not defined" name f once, not twice?"""
    grade = grade_student(student_with(rnn_step_forward=None))
    lines = [line for q in grade.questions for line in q.feedback]
    assert any("could not test `rnn_step_backward`: `rnn_step_forward` is not defined" in line for line in lines)
    assert not any("`rnn_step_forward` `rnn_step_forward`" in line for line in lines)


def test_exceptions_nan_and_wrong_shapes_lose_points_with_a_message():
    def raises(*a):
        raise IndexError("index 3 is out of bounds")

    def nan_forward(*args):
        h, cache = solutions.rnn_step_forward(*args)
        return h * np.nan, cache

    def wrong_shape(h_next, W_hh):
        return solutions.hidden_jacobian(h_next, W_hh).sum(axis=0)

    grade = grade_student(student_with(chain_product=raises, rnn_step_forward=nan_forward,
                                       hidden_jacobian=wrong_shape))
    text = "\n".join(grade.question("q0").feedback)
    assert "raised IndexError: index 3 is out of bounds" in text
    assert "`h_next` contains NaN" in "\n".join(grade.question("q1").feedback)
    assert "`J` has shape" in "\n".join(grade.question("q3").feedback)
    assert grade.functions["chain_product"].score == 0
    assert grade.functions["rnn_step_forward"].score == 0
    assert grade.functions["hidden_jacobian"].score == 0


def test_wrong_arity_is_reported():
    grade = grade_student(student_with(rnn_step_backward=lambda dh, cache: solutions.rnn_step_backward(dh, cache)[:4]))
    assert any("should return 5 values (dx, dh_prev, dW_xh, dW_hh, db_h), got 4" in line
               for line in grade.question("q1").feedback)


def test_a_transposed_gradient_is_named_and_diagnosed():
    def bwd(dh_next, cache):
        dx, dh_prev, dW_xh, dW_hh, db_h = solutions.rnn_step_backward(dh_next, cache)
        return dx, dh_prev, dW_xh, dW_hh.T, db_h

    grade = grade_student(student_with(rnn_step_backward=bwd))
    finding = grade.findings["rnn_step_backward"]
    assert finding.wrong_outputs == {"dW_hh"}
    assert finding.pattern("dW_hh", "transpose")
    assert any("`dW_hh` is wrong" in line and "transposed" in line for line in grade.question("q1").feedback)
    assert "dW_xh" in finding.right_outputs


def test_a_gradient_off_by_N_is_diagnosed():
    def bwd(dh_next, cache):
        dx, dh_prev, dW_xh, dW_hh, db_h = solutions.rnn_step_backward(dh_next, cache)
        return dx, dh_prev, dW_xh, dW_hh, db_h / dh_next.shape[0]

    finding = grade_student(student_with(rnn_step_backward=bwd)).findings["rnn_step_backward"]
    assert finding.pattern("db_h", "scale:1/N")
    assert "N>1" in finding.only_when


def test_a_backward_that_differentiates_its_own_wrong_forward_keeps_part_of_its_points():
    """One bug costs points once: forward without the bias, backward exact for that forward."""
    def fwd(x, h_prev, W_xh, W_hh, b_h):
        return solutions.rnn_step_forward(x, h_prev, W_xh, W_hh, np.zeros_like(b_h))

    def bwd(dh_next, cache):
        dx, dh_prev, dW_xh, dW_hh, db_h = solutions.rnn_step_backward(dh_next, cache)
        return dx, dh_prev, dW_xh, dW_hh, np.zeros_like(db_h)   # the bias does not exist in fwd

    grade = grade_student(student_with(rnn_step_forward=fwd, rnn_step_backward=bwd))
    fg = grade.functions["rnn_step_backward"]
    assert fg.finding.consistent_with_own_forward is True
    assert 0 < fg.score < fg.max_score
    # dx, dh_prev, dW_xh, dW_hh keep the credit; db_h = 0 (the forward ignores b_h) earns nothing
    assert fg.score == pytest.approx(CONSISTENT_BACKWARD_CREDIT * 4 / 5 * fg.max_score)
    assert grade.functions["rnn_step_forward"].score == 0


def test_an_inconsistent_backward_gets_no_such_credit():
    def bwd(dh_next, cache):
        dx, dh_prev, dW_xh, dW_hh, db_h = solutions.rnn_step_backward(dh_next, cache)
        return -dx, -dh_prev, -dW_xh, -dW_hh, -db_h

    grade = grade_student(student_with(rnn_step_backward=bwd))
    assert grade.functions["rnn_step_backward"].score == 0
    assert grade.findings["rnn_step_backward"].pattern("dx", "sign")


def test_mutating_an_input_costs_points_and_says_which():
    def bwd(dh, cache):
        out = solutions.rnn_backward(dh, cache)
        dh *= 0
        return out

    grade = grade_student(student_with(rnn_backward=bwd))
    fg = grade.functions["rnn_backward"]
    assert 0 < fg.score < fg.max_score
    assert "dh" in fg.finding.mutated_inputs
    assert any("changed its input dh in place" in line for line in fg.feedback)


def test_feedback_never_shows_reference_values(reference_grade):
    """Messages give shapes, errors and patterns, never the expected numbers."""
    def fwd(x, h_prev, W_xh, W_hh, b_h):
        return solutions.rnn_step_forward(x, h_prev, W_xh, W_hh, 2 * b_h)

    grade = grade_student(student_with(rnn_step_forward=fwd))
    ref_values = solutions.rnn_step_forward(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)),
                                            np.ones((1, 1)), np.ones(1))[0]
    text = "\n".join(grade.question("q1").feedback)
    assert f"{ref_values[0, 0]:.4f}" not in text
    assert "max relative error" in text


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_can_lose_its_points(function):
    """No check passes a function that returns garbage."""
    grade = grade_student(student_with(**{function: lambda *a, **k: "garbage"}))
    assert grade.functions[function].score == 0, grade.functions[function].feedback
    assert question_of(function) in {q.id for q in QUESTIONS}


# -- staged comparison -------------------------------------------------------

def test_broadcasting_shapes_never_pass():
    """np.allclose compares a (3, 1) with a (1, 3); the checks do not."""
    v = check_array("h", np.ones((3, 1)), np.ones((1, 3)), 1e-7)
    assert not v.ok and v.stage == "shape"


@pytest.mark.parametrize("bad, stage", [
    (np.full((2, 2), np.nan), "finite"), (np.full((2, 2), np.inf), "finite"),
    (2 * np.ones((2, 2), dtype=np.float32), "values"), (np.ones((2, 2), dtype=int), "dtype"),
    ([[2.0, 1.0], [1.0, 1.0]], "type"), (None, "type"), ("1", "type"), ([1.0, 1.0], "type"),
    ([["1", 1.0], [1.0, 1.0]], "type"), ([[True, 1.0], [1.0, 1.0]], "type"),
])
def test_the_first_failing_stage_decides(bad, stage):
    v = check_array("out", bad, np.ones((2, 2)), 1e-7)
    assert not v.ok and v.stage == stage


def test_scalar_stages():
    assert check_number("rate", np.float64(0.5), 0.5, 1e-9).ok
    assert check_number("rate", np.array(0.5), 0.5, 1e-9).ok
    assert not check_number("rate", True, 1.0, 1e-9).ok
    assert not check_number("rate", float("nan"), 1.0, 1e-9).ok
    assert "inverse" in check_number("rate", 2.0, 0.5, 1e-9).tags


def test_time_patterns():
    expected = np.random.default_rng(0).standard_normal((2, 4, 3))
    last = expected.copy()
    last[:, -1] += 1
    assert "only-last-step" in check_array("h", last, expected, 1e-7, time_axis=1).tags
    rest = expected.copy()
    rest[:, :-1] *= 1.5
    rest[:, :-1] += 0.1
    assert "all-but-last-step" in check_array("h", rest, expected, 1e-7, time_axis=1).tags


def test_a_step_bug_costs_full_points_once():
    """A bug in rnn_step_backward, reused by the student's own rnn_backward, is charged in q1;
    rnn_backward, which chains the step correctly, keeps most of its points."""
    def step_bwd(dh_next, cache):
        dx, dh_prev, dW_xh, dW_hh, db_h = solutions.rnn_step_backward(dh_next, cache)
        return dx, dh_prev, dW_xh, 2 * dW_hh, db_h

    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns["rnn_step_backward"] = step_bwd

    def rnn_backward(dh, cache):                   # the student's BPTT calls their own step
        N, T, H = dh.shape
        dx, dW_xh, dW_hh, db_h, dh_prev = [], 0, 0, 0, np.zeros((N, H))
        for t in reversed(range(T)):
            dx_t, dh_prev, a, b, c = ns["rnn_step_backward"](dh[:, t] + dh_prev, cache[t])
            dx.insert(0, dx_t)
            dW_xh, dW_hh, db_h = dW_xh + a, dW_hh + b, db_h + c
        return np.stack(dx, axis=1), dh_prev, dW_xh, dW_hh, db_h

    ns["rnn_backward"] = rnn_backward
    grade = grade_student(LocalStudent(ns))
    step, seq = grade.functions["rnn_step_backward"], grade.functions["rnn_backward"]
    assert step.score < 0.9 * step.max_score
    assert seq.score >= CONSISTENT_BACKWARD_CREDIT * seq.max_score * 0.9
    assert any("matches what your `rnn_step_backward` gives when chained" in line for line in seq.feedback)


JUNK = [
    None, "h", 10 ** 400, float("nan"), 1j, [[1.0, 2.0]], {"a": 1}, (np.ones(3),) * 7,
    np.array(["a", "b"]), np.ones((2, 2), dtype=complex), np.full((2, 3), 1e308),
    (np.array(["x"]), np.array(["y"])), ({"W_f": "no"}, {"b": None}),
]


@pytest.mark.parametrize("junk", JUNK, ids=lambda j: type(j).__name__)
def test_junk_return_values_never_break_grading(junk):
    """Whatever a student returns, every function scores zero and grading finishes."""
    grade = grade_student(LocalStudent({name: (lambda *a, _j=junk: _j) for name in FUNCTIONS}))
    assert grade.status == "graded", grade.notes
    # decay_rate/clip of junk may accidentally satisfy a ValueError case only by raising;
    # returning junk never earns value points
    assert grade.score <= MAX_SCORE * 0.05, [(q.id, q.score) for q in grade.questions]


def test_zeros_of_the_right_shapes_earn_almost_nothing():
    """Zero gradients are the exact derivative of a zero forward: that must not earn consistency credit.

    tests/files/zeros.py answers every function with zeros of the right shapes."""
    from pathlib import Path

    from autograder.grading import grade_source

    grade = grade_source((Path(__file__).parent / "files" / "zeros.py").read_text(), "zeros")
    assert grade.score < 1.0, [(f.function, f.score) for f in grade.functions.values() if f.score]
    for f in grade.functions.values():
        # the only zeros that are right: dW_f and db_f of an LSTM with T = 1 and c_0 = 0
        assert f.score <= 0.06 * f.max_score, (f.function, f.feedback)


def test_steps_returning_junk_never_break_the_composition_of_a_sequence():
    """The sequence checks chain the student's steps; junk from a step ends that, not grading."""
    def step_bwd(dh_next, cache):
        return "dx", "dh_prev", "dW_xh", "dW_hh", "db_h"

    def lstm_step_fwd(x, h_prev, c_prev, params):
        return "h", ["c"], None

    grade = grade_student(student_with(rnn_step_backward=step_bwd, lstm_step_forward=lstm_step_fwd,
                                       rnn_backward=lambda dh, cache: solutions.rnn_backward(dh, cache)[:4] + (1,),
                                       lstm_forward=lambda x, h0, p: (np.ones(x.shape[:2] + h0.shape[1:]), None)))
    assert grade.status == "graded", grade.notes
    assert grade.functions["rnn_backward"].score < grade.functions["rnn_backward"].max_score


def _junk():
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    arrays = hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
                        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=5))
    scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3), arrays,
                       st.sampled_from([10 ** 400, -10 ** 400, 2 ** 70]))   # beyond float / int64
    return st.recursive(scalar, lambda inner: st.one_of(
        st.lists(inner, max_size=6).map(tuple), st.lists(inner, max_size=6),
        st.dictionaries(st.sampled_from(["W_f", "b_f", "W_z", "x", "h"]), inner, max_size=4)), max_leaves=12)


def test_no_return_value_makes_the_grader_fail():
    """Property: whatever every function returns, grading finishes without an internal error."""
    from hypothesis import given, settings

    @settings(max_examples=25, deadline=None)
    @given(_junk(), _junk())
    def run(forward_junk, backward_junk):
        ns = {name: (lambda *a, _j=(backward_junk if "backward" in name else forward_junk): _j)
              for name in FUNCTIONS}
        grade = grade_student(LocalStudent(ns))
        assert grade.status == "graded", grade.notes

    run()


def test_norms_built_on_a_wrong_jacobian_are_charged_once():
    """gradient_norms_through_time that chains the student's own (transposed) hidden_jacobian
    keeps most of its points; the Jacobian loses its own."""
    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns["hidden_jacobian"] = lambda h_next, W_hh: solutions.hidden_jacobian(h_next, W_hh.T)

    def norms(x, h0, W_xh, W_hh, b_h, dh_T):
        h, _ = ns["rnn_forward"](x, h0, W_xh, W_hh, b_h)
        out, dh = [np.linalg.norm(dh_T)], dh_T
        for t in range(x.shape[1] - 1, 0, -1):
            dh = np.einsum("ni,nij->nj", dh, ns["hidden_jacobian"](h[:, t], W_hh))
            out.append(np.linalg.norm(dh))
        return np.array(out[::-1])

    ns["gradient_norms_through_time"] = norms
    grade = grade_student(LocalStudent(ns))
    jac, gn = grade.functions["hidden_jacobian"], grade.functions["gradient_norms_through_time"]
    assert jac.score < 0.5 * jac.max_score
    assert gn.finding.consistent_with_own_forward is True
    assert CONSISTENT_BACKWARD_CREDIT * gn.max_score * 0.6 <= gn.score < gn.max_score
    assert any("matches what your `rnn_forward` and `hidden_jacobian` give when chained" in line
               for line in gn.feedback)


def test_a_student_that_mutates_its_inputs_cannot_change_the_hidden_cases():
    """Hidden inputs are cached across submissions; a LocalStudent hands out copies, so a
    function that scribbles on its arguments changes nothing for the next student, also
    on the paths that call a student's functions outside a case (chaining its steps)."""
    def scribble_then_answer(x, h_prev, W_xh, W_hh, b_h):
        out = solutions.rnn_step_forward(x, h_prev, W_xh, W_hh, b_h)
        for a in (x, h_prev, W_xh, W_hh, b_h):
            a[...] = 7.0
        return out

    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns["rnn_step_forward"] = scribble_then_answer
    ns["rnn_forward"] = lambda x, h0, W_xh, W_hh, b_h: (np.ones(x.shape[:2] + h0.shape[1:]), None)
    grade_student(LocalStudent(ns))                  # the sequence check chains the scribbling step
    assert grade_student(LocalStudent(solutions)).score == MAX_SCORE


def test_a_list_of_right_numbers_is_not_an_array_but_costs_only_the_fixed_share():
    """A list where SPEC asks for an array: its values are checked, and right ones cost
    DTYPE_PENALTY once, as a float32 array of right values does (not the whole function)."""
    v = check_array("norms", [1.0, 2.0], np.array([1.0, 2.0]), 1e-7)
    assert v.ok and {"not-float64", "not-array"} <= v.tags and "not a numpy array" in v.message
    from pathlib import Path
    from autograder.grading import grade_source
    from autograder.spec import DTYPE_PENALTY
    from autograder.submissions import compose
    grade = grade_source(compose(Path(__file__).parent / "files" / "penalised" / "grad_norms_list.py"))
    f = grade.functions["gradient_norms_through_time"]
    assert grade.status == "graded" and f.score == pytest.approx(f.max_score * (1 - DTYPE_PENALTY))
    text = "\n".join(f.feedback)
    assert "values are right; return a float64 array" in text and "np.array(values)" in text
    assert "dtype='f'" not in text                       # the float32 hint does not apply to a list
    assert grade.score == MAX_SCORE - f.max_score * DTYPE_PENALTY
