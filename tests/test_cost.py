"""Backprop costs about one forward pass: the cost case of each backward function.

A backward that takes central differences (or complex steps) of its own
forward is right on every small case and once took full marks; at the cost
sizes it needs tens of seconds where backprop needs milliseconds. The
not-backprop fixtures (tests/files/not_backprop/, trusted) run through the
sandbox here because only the sandbox can stop a call at its time limit;
the in-process tests use a Student that reports a call's time.
"""

from pathlib import Path

import pytest

from autograder.checks import ALL_CHECKS, cost, q1_rnn_step, q2_rnn_sequence, q4_lstm, q5_gru
from autograder.checks.layers import check_backward
from autograder.grading import grade_student
from autograder.sandbox import Limits, SandboxedStudent
from autograder.spec import QUESTIONS
from autograder.student import LocalStudent, Outcome
from autograder.submissions import compose, reference_source

FILES = Path(__file__).parent / "files"
NOT_BACKPROP = FILES / "not_backprop"
LAYERS = (q1_rnn_step.RNN_STEP, q2_rnn_sequence.RNN_SEQUENCE, q4_lstm.LSTM_STEP, q4_lstm.LSTM_SEQUENCE,
          q5_gru.GRU_STEP, q5_gru.GRU_SEQUENCE)
BACKWARDS = tuple(layer.backward for layer in LAYERS)


def namespace(source):
    ns = {"__name__": "submission"}
    exec(compile(source, "submission", "exec"), ns)
    return ns


class ReportedTime(LocalStudent):
    """A trusted Student whose calls of some functions report a given wall time."""

    def __init__(self, ns, seconds):
        super().__init__(ns)
        self.seconds = seconds            # function name -> reported seconds

    def call(self, name, *args, opaque=(), timeout=None):
        outcome = super().call(name, *args, opaque=opaque, timeout=timeout)
        if name in self.seconds:
            outcome.seconds = self.seconds[name]
        return outcome


@pytest.fixture(scope="module")
def reference_ns():
    return namespace(reference_source())


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.backward)
def test_the_answer_key_passes_its_cost_case(reference_ns, layer):
    case, decisive = cost.cost_case(LocalStudent(reference_ns), layer)
    assert not decisive and case.status == "ok" and case.fraction == 1.0
    assert case.weight == cost.COST_WEIGHT < 1


def test_reference_time_is_measured_once_per_process():
    layer = q2_rnn_sequence.RNN_SEQUENCE
    first = cost.reference_seconds(layer, cost.cost_sizes(layer))
    hits = cost.reference_seconds.cache_info().hits
    assert cost.reference_seconds(layer, cost.cost_sizes(layer)) == first
    assert cost.reference_seconds.cache_info().hits == hits + 1


def test_a_backward_over_its_limit_earns_none_of_the_function(reference_ns):
    """Right values everywhere, but the cost case's backward took 100 s: no points, one message."""
    student = ReportedTime(reference_ns, {"rnn_backward": 100.0})
    cases = ALL_CHECKS["rnn_backward"](student)
    assert all(c.fraction == 0.0 for c in cases)
    (cost_case,) = [c for c in cases if c.name.startswith("cost:")]
    assert cost_case.status == "timeout"
    text = " ".join(v.message for v in cost_case.verdicts if not v.ok)
    assert "backprop should cost about as much as the forward pass" in text
    assert "took 100.0 s" in text and "numerical gradient" in text


def test_a_call_stopped_by_the_time_budget_after_the_limit_is_decisive(reference_ns):
    """Stopped by the question's time budget, but only after the cost limit had passed."""
    class Budgeted(LocalStudent):
        def call(self, name, *args, opaque=(), timeout=None):
            if name == "rnn_step_backward":
                return Outcome(error="did not finish before the time budget ran out", kind="limit",
                               seconds=timeout + 1.0)
            return super().call(name, *args, opaque=opaque, timeout=timeout)

    case, decisive = cost.cost_case(Budgeted(reference_ns), q1_rnn_step.RNN_STEP)
    assert decisive and case.fraction == 0.0


def test_a_slow_forward_raises_the_limit(reference_ns):
    """A backward as slow as its (slow, loop-based) forward is backprop: the limit follows the forward."""
    slow = 10.0 * cost.COST_FLOOR_SECONDS
    student = ReportedTime(reference_ns, {"rnn_forward": slow, "rnn_backward": 3.0 * slow})
    case, decisive = cost.cost_case(student, q2_rnn_sequence.RNN_SEQUENCE)
    assert not decisive and case.fraction == 1.0
    student = ReportedTime(reference_ns, {"rnn_backward": 3.0 * slow})
    assert cost.cost_case(student, q2_rnn_sequence.RNN_SEQUENCE)[1]


def test_a_wrong_forward_makes_the_cost_case_earn_what_the_others_earn():
    """The cost case's values cannot be right on a wrong forward: it follows the credit policies."""
    ns = namespace(compose(FILES / "bugs" / "rnn_step_forward_no_bias.py"))
    cases = ALL_CHECKS["rnn_step_backward"](LocalStudent(ns))
    *others, last = cases
    assert last.name.startswith("cost:") and last.forward_ok is False
    assert last.fraction == pytest.approx(sum(c.fraction for c in others) / len(others))
    zeros = namespace((FILES / "zeros.py").read_text())
    assert all(c.fraction == 0.0 for c in ALL_CHECKS["rnn_backward"](LocalStudent(zeros)))


def _sandboxed_grade(tmp_path, name):
    """The grade, and the ordinary shape cases alone (a second child: its own time budget)."""
    path = tmp_path / f"{name}.py"
    path.write_text(compose(NOT_BACKPROP / f"{name}.py"))
    with SandboxedStudent(path, Limits()) as student:
        grade = grade_student(student, name)
    with SandboxedStudent(path, Limits()) as student:
        plain = {layer.backward: check_backward(student, layer) for layer in LAYERS if student.has(layer.backward)}
    return grade, plain


@pytest.mark.slow
@pytest.mark.parametrize("name, backwards", [
    ("backward_numerical_gradient", BACKWARDS),
    ("backward_complex_step", ("rnn_step_backward", "rnn_backward")),
])
def test_numerical_gradients_earn_nothing_on_their_backward_functions(tmp_path, name, backwards):
    grade, plain = _sandboxed_grade(tmp_path, name)
    for function in backwards:
        # before the cost case, every small case passed (the values are right)
        assert plain[function] and all(c.status == "ok" for c in plain[function]), function
        f = grade.functions[function]
        assert f.score == 0, (function, f.feedback)
        text = "\n".join(f.feedback)
        assert "numerical gradient" in text and "backprop should cost about as much as the forward pass" in text
    for q in QUESTIONS:
        for function in q.points:
            if function not in backwards:
                assert grade.functions[function].score == q.points[function], grade.functions[function].feedback
