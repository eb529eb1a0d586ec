"""Numerically robust: the saturated cases (pre-activations up to about +-1e3).

tanh written as (1 - exp(-2a)) / (1 + exp(-2a)) and a sigmoid written as
exp(a) / (1 + exp(a)) are right on every ordinary case and NaN at
saturation; the saturated cases catch them, while the answer key passes
them without a numpy warning and every correct variant (trusted files, run
in-process) passes them, even those whose right values come with an
overflow warning (a naive 1 / (1 + exp(-a)) is exactly 0 at a = -1000: a
warning is not an error). Underflow is ignored, as numpy does by default:
exp(-|a|) of the overflow-safe sigmoid is exactly 0 there, the right value.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import ALL_CHECKS, q1_rnn_step, q2_rnn_sequence, q4_lstm, q5_gru
from autograder.checks.layers import check_backward, check_forward, reference
from autograder.checks.saturated import BEHAVIOUR, SEQUENCE_SIZES, STEP_SIZES, saturated_layer
from autograder.grading import grade_source
from autograder.spec import CONSISTENT_BACKWARD_CREDIT
from autograder.student import LocalStudent
from autograder.submissions import compose, reference_source

FILES = Path(__file__).parent / "files"
CORRECT = sorted((FILES / "correct").glob("*.py"))
LAYERS = (q1_rnn_step.RNN_STEP, q4_lstm.LSTM_STEP, q4_lstm.LSTM_SEQUENCE, q5_gru.GRU_STEP, q5_gru.GRU_SEQUENCE)


def sizes_of(layer):
    return SEQUENCE_SIZES if layer.sequence else STEP_SIZES


def namespace(source):
    ns = {"__name__": "submission"}
    exec(compile(source, "submission", "exec"), ns)
    return ns


def pre_activations(layer):
    """Every pre-activation of the first step of a saturated case, in one array."""
    sat = saturated_layer(layer)
    sizes = sizes_of(layer)
    inputs = sat.make_inputs(sat.case_rng(sizes), sizes)
    x = inputs["x"][:, 0] if layer.sequence else inputs["x"]
    h = inputs["h0"] if layer.sequence else inputs["h_prev"]
    if "W_xh" in inputs:
        return x @ inputs["W_xh"].T + h @ inputs["W_hh"].T + inputs["b_h"]
    params, hx = inputs["params"], np.concatenate([h, x], axis=1)
    return np.concatenate([hx @ w.T + params["b" + k[1:]] for k, w in params.items() if k.startswith("W")])


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.forward)
def test_saturated_inputs_reach_the_overflow_range(layer):
    """Below -709 a naive sigmoid's exp(-a) overflows, above 709 exp(a), below -354 exp(-2a)."""
    a = pre_activations(layer)
    assert a.min() < -709 and a.max() > 709
    assert np.mean(np.abs(a) < 5) > 0.05          # some units stay in the sensitive range


def saturated_cases(student):
    out = []
    for layer in LAYERS:
        sat = saturated_layer(layer)
        reference.cache_clear()       # the answer key's own values, computed under the caller's settings
        out += (check_forward(student, sat, shapes=(sizes_of(layer),))
                + check_backward(student, sat, shapes=(sizes_of(layer),)))
    reference.cache_clear()
    return [(c.function, c.status, c.messages) for c in out if c.status != "ok"]


def test_the_answer_key_passes_without_a_numpy_warning():
    """Is the answer key overflow-safe: no warning at all (underflow to 0 aside)?"""
    student = LocalStudent(namespace(reference_source()))
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        assert saturated_cases(student) == []


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variants_pass_the_saturated_cases(path):
    """Does every correct variant pass, even one whose right values come with
    an overflow warning (1 / (1 + exp(-a)) at a = -1000 is exactly 0)?
    A warning is not an error: numpy's default settings apply, as in the sandbox."""
    student = LocalStudent(namespace(compose(path)))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        assert saturated_cases(student) == []


@pytest.mark.parametrize("fixture, functions, hint", [
    ("tanh_via_exp_overflows", ("rnn_step_forward",), "np.tanh"),
    ("sigmoid_naive_exp_overflows", ("lstm_step_forward", "lstm_forward", "gru_step_forward", "gru_forward"),
     "never exponentiates a large positive number"),
])
def test_naive_activations_lose_only_the_saturated_case(fixture, functions, hint):
    grade = grade_source(compose(FILES / "bugs" / f"{fixture}.py"))
    for function in functions:
        f = grade.functions[function]
        failing = [c for c in f.cases if c.status != "ok"]
        assert [c.behaviour for c in failing] == [BEHAVIOUR], function
        assert 0 < f.score < f.max_score
        text = "\n".join(f.feedback)
        assert "NaN or inf" in text and hint in text and "+-1000" in text
        # the backward that chains this forward's NaN cache keeps the one-bug-once credit
        layer = next(layer for layer in LAYERS if layer.forward == function)
        backward = grade.functions[layer.backward]
        (sat_case,) = [c for c in backward.cases if c.behaviour == BEHAVIOUR]
        assert sat_case.fraction == CONSISTENT_BACKWARD_CREDIT
        assert f"fix `{function}` first" in "\n".join(backward.feedback)


def test_the_ordinary_cases_are_unchanged():
    """The saturated (and cost) cases come after the ordinary ones, which keep their seeds and results."""
    student = LocalStudent(namespace(compose(FILES / "bugs" / "tanh_via_exp_overflows.py")))
    for module, names in ((q1_rnn_step, ("rnn_step_forward", "rnn_step_backward")),
                          (q2_rnn_sequence, ("rnn_forward",)),
                          (q4_lstm, ("lstm_step_forward", "lstm_backward")),
                          (q5_gru, ("gru_forward", "gru_step_backward"))):
        for name in names:
            plain = module.CHECKS[name](student)
            wrapped = ALL_CHECKS[name](student)
            assert [(c.name, c.fraction, c.status) for c in wrapped[:len(plain)]] == \
                   [(c.name, c.fraction, c.status) for c in plain]
