"""Proportionate and honest grading (issue 8): the dtype policy, earned consistency
credit, property checks that a do-nothing function passes, and messages that say
what happened.

The fixtures are trusted student-like code (tests/files/bugs, tests/files/zeros.py),
graded in this process.
"""

from pathlib import Path

import numpy as np
import pytest

import solutions
from autograder.compare import check_array
from autograder.grading import grade_source, grade_student
from autograder.spec import DTYPE_PENALTY, FUNCTIONS
from autograder.student import LocalStudent
from autograder.submissions import compose

FILES = Path(__file__).parent / "files"


def _grade_bug(name, base="reference"):
    return grade_source(compose(FILES / "bugs" / f"{name}.py", base=base), name)


def _text(grade, *functions):
    return "\n".join(line for f in functions for line in grade.functions[f].feedback)


# ---------------------------------------------------------------------------
# float32 outputs

def test_a_float32_array_with_right_values_passes_its_values_and_says_so():
    expected = np.random.default_rng(0).standard_normal((3, 4))
    v = check_array("h", expected.astype(np.float32), expected, 1e-7)
    assert v.ok and v.stage == "dtype" and "not-float64" in v.tags
    assert v.message == "`h` is float32 (a float32 buffer, or `.astype`?); its values are right; return float64"


def test_a_float32_array_with_wrong_values_says_both():
    expected = np.random.default_rng(0).standard_normal((3, 4))
    v = check_array("h", (expected + 0.5).astype(np.float32), expected, 1e-7)
    assert not v.ok and "not-float64" in v.tags
    assert "is float32" in v.message and "wrong even at float32 precision" in v.message
    assert v.message.endswith("return float64")


def test_float32_buffers_cost_one_fixed_share_of_each_function():
    """lstm_forward's h and lstm_backward's dx in float32 buffers, values right: each
    function keeps 1 - DTYPE_PENALTY of its points, forward and backward alike, and the
    feedback blames neither the maths, nor c_0, nor the forward."""
    grade = _grade_bug("lstm_forward_float32_buffers")
    for function in ("lstm_forward", "lstm_backward"):
        fg = grade.functions[function]
        assert fg.score == pytest.approx((1 - DTYPE_PENALTY) * fg.max_score), fg.feedback
    text = _text(grade, "lstm_forward", "lstm_backward")
    assert "`h` is float32 (a float32 buffer, or `.astype`?); its values are right; return float64" in text
    assert "`dx` is float32" in text and "`dx` should be float64" in text
    for wrong_claim in ("c_0", "forward first", "loses the precision", "is wrong"):
        assert wrong_claim not in text, text


def test_float32_arithmetic_is_right_to_float32_precision_and_pays_the_same_share():
    grade = _grade_bug("rnn_step_float32")
    fg = grade.functions["rnn_step_forward"]
    assert fg.score == pytest.approx((1 - DTYPE_PENALTY) * fg.max_score)
    assert "its values are right only to float32 precision" in _text(grade, "rnn_step_forward")


# ---------------------------------------------------------------------------
# Credit must be earned

def test_pass_through_everything_scores_about_as_much_as_zeros():
    """Forwards that hand back their input and backwards that pass dh through are each
    other's exact derivatives; that is not a near miss and earns no consistency credit."""
    zeros = grade_source((FILES / "zeros.py").read_text(), "zeros")
    passing = _grade_bug("pass_through_everything", base="stub")
    assert passing.score <= zeros.score + 2.0, [(f.function, f.score) for f in passing.functions.values()]
    text = "\n".join(line for f in passing.functions.values() for line in f.feedback)
    assert "keeps part of its points" not in text
    assert "does not use its weights" in text
    layers = [f for f in FUNCTIONS if f.startswith(("rnn", "lstm", "gru"))]
    assert sum(passing.functions[f].score for f in layers) <= sum(zeros.functions[f].score for f in layers) + 0.5


def test_a_function_that_always_raises_valueerror_earns_no_error_checks():
    def always_raises(*args):
        raise ValueError("no")

    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns["clip_grad_norm"] = always_raises
    fg = grade_student(LocalStudent(ns)).functions["clip_grad_norm"]
    assert fg.score == 0
    assert any("it raises on valid inputs too" in line for line in fg.feedback)


def test_a_real_attempt_keeps_its_error_checks():
    """decay_rate with the rate inverted validates its input correctly: that still counts."""
    assert _grade_bug("decay_rate_inverted").functions["decay_rate"].score > 0


# ---------------------------------------------------------------------------
# Messages that say what happened

def test_a_sequence_backward_that_repeats_the_step_bug_inline_is_not_said_to_chain_the_step():
    """rnn_backward never calls rnn_step_backward; it only gives the same (wrong) numbers."""
    def step_bwd(dh_next, cache):
        dx, dh_prev, dW_xh, dW_hh, db_h = solutions.rnn_step_backward(dh_next, cache)
        return dx, dh_prev, dW_xh, 2 * dW_hh, db_h

    def rnn_backward(dh, cache):                   # the same doubling, written inline
        dx, dh0, dW_xh, dW_hh, db_h = solutions.rnn_backward(dh, cache)
        return dx, dh0, dW_xh, 2 * dW_hh, db_h

    ns = {name: getattr(solutions, name) for name in FUNCTIONS}
    ns.update(rnn_step_backward=step_bwd, rnn_backward=rnn_backward)
    text = _text(grade_student(LocalStudent(ns)), "rnn_backward")
    assert "matches what your `rnn_step_backward` gives when chained" in text
    assert "chains your" not in text


def test_a_dict_whose_entries_were_replaced_is_reported_as_a_changed_dict():
    grade = _grade_bug("clip_replaces_dict_entries")
    lines = grade.functions["clip_grad_norm"].feedback
    changed = [line for line in lines if "changed the dict `grads` it was given" in line]
    assert changed and "in place" not in changed[0]
    assert not any("Never write into an argument in place" in line for line in lines)


def test_a_batch_mean_is_one_factor_not_two():
    """db_h = mean over the batch: "a factor of 1/N" everywhere, never "a factor of N"
    (and never "1/2", the name the same ratio had in the N = 2 cases)."""
    grade = _grade_bug("db_averaged_over_batch")
    finding = grade.findings["rnn_step_backward"]
    assert {t for t in finding.patterns["db_h"] if t.startswith("scale:")} == {"scale:1/N"}
    text = _text(grade, "rnn_step_backward")
    assert "factor of 1/N" in text and "factor of N" not in text and "1/2" not in text


def test_rate_tolerances_print_as_spec_md_states_them():
    """SPEC.md: within 1e-6 of an exact rate, else within 5%."""
    def rate_off_by_ten_percent(norms):
        return 1.1 * solutions.decay_rate(norms)

    grade = grade_student(LocalStudent({**{n: getattr(solutions, n) for n in FUNCTIONS},
                                        "decay_rate": rate_off_by_ten_percent}))
    messages = [v.message for c in grade.functions["decay_rate"].cases for v in c.verdicts if not v.ok]
    assert "`rate` is wrong: off by 10.0% of the expected value (tolerance 5%)" in " ".join(messages)
    assert "(tolerance 1e-06)" in " ".join(messages)
    assert "3e-02" not in " ".join(messages) + _text(grade, "decay_rate")
