"""The hint catalogue (autograder/hints.py) on hand-built Findings.

The catalogue tests (test_catalogue.py) check hints end to end through the
real checks; these pin each rule's evidence down without running anything.
"""

import inspect
import re

import pytest

import solutions
from autograder import spec
from autograder.findings import Finding
from autograder.hints import all_texts, hints_for

RNN_STEP_GRADS = {"dx", "dh_prev", "dW_xh", "dW_hh", "db_h"}
RNN_SEQ_GRADS = {"dx", "dh0", "dW_xh", "dW_hh", "db_h"}


def wrong(function, outputs, everything=(), **fields):
    """A Finding with ``outputs`` wrong (plain value errors) and the rest of ``everything`` right."""
    outputs = set(outputs)
    patterns = {o: {"values"} for o in outputs}
    for o, tags in fields.pop("patterns", {}).items():
        patterns[o] = set(tags) | {"values"}
    return Finding(function, status=fields.pop("status", "wrong"), wrong_outputs=outputs,
                   right_outputs=set(everything) - outputs, patterns=patterns, **fields)


def joined(finding):
    return "\n".join(hints_for(finding)).lower()


# ---------------------------------------------------------------------------
# When there is nothing to say

@pytest.mark.parametrize("function", spec.FUNCTIONS)
def test_no_hint_for_a_passing_function(function):
    """Does a function with every check passed get no hint?"""
    assert hints_for(Finding(function, right_outputs={"x"})) == []


@pytest.mark.parametrize("function", spec.FUNCTIONS)
def test_no_hint_for_a_missing_or_unimplemented_function(function):
    """Do missing and NotImplementedError functions get no hint (the feedback says it already)?"""
    assert hints_for(Finding(function, status="missing")) == []
    assert hints_for(Finding(function, status="raises", raised={"NotImplementedError"})) == []


def test_no_function_hint_when_the_error_lives_elsewhere():
    """Does a backward that is the exact derivative of its own wrong forward get no advice about itself?"""
    f = wrong("rnn_step_backward", RNN_STEP_GRADS, RNN_STEP_GRADS, consistent_with_own_forward=True)
    assert hints_for(f) == []


# ---------------------------------------------------------------------------
# Specific rules

def test_tanh_derivative_when_every_step_gradient_is_wrong():
    text = joined(wrong("rnn_step_backward", RNN_STEP_GRADS, RNN_STEP_GRADS))
    assert "belongs to h_next" in text and "already tanh(a)" in text and "do not divide" in text
    assert "summed over the batch" not in text


@pytest.mark.parametrize("evidence", [dict(patterns={"db_h": {"shape"}}), dict(patterns={"db_h": {"scale:1/N"}}),
                                      dict(only_when={"N>1"})], ids=["shape", "mean", "N>1"])
def test_db_h_must_be_summed_over_the_batch(evidence):
    f = wrong("rnn_step_backward", {"db_h"}, RNN_STEP_GRADS, **evidence)
    assert "summed over the batch" in joined(f)


def test_db_h_wrong_without_batch_evidence_does_not_blame_the_batch():
    f = wrong("rnn_step_backward", {"db_h"}, RNN_STEP_GRADS, patterns={"db_h": {"sign"}})
    assert "summed over the batch" not in joined(f)


def test_dW_hh_paired_with_h_prev():
    assert "h_prev" in joined(wrong("rnn_step_backward", {"dW_hh"}, RNN_STEP_GRADS))
    scaled = wrong("rnn_step_backward", {"dW_hh"}, RNN_STEP_GRADS, patterns={"dW_hh": {"scale:2"}})
    assert "not h_next" not in joined(scaled)


def test_transpose_only_when_D_equals_H():
    """Does a transposed gradient that only fails for D == H say so?"""
    f = wrong("rnn_step_backward", {"dW_xh"}, RNN_STEP_GRADS, patterns={"dW_xh": {"transpose"}},
              only_when={"D==H"})
    text = joined(f)
    assert "`dw_xh` is transposed" in text and "d == h" in text
    f.only_when = set()
    assert "d == h" not in joined(f)


def test_dh_prev_orientation():
    assert "dh_prev = da @ w_hh" in joined(wrong("rnn_step_backward", {"dh_prev"}, RNN_STEP_GRADS))


def test_rnn_step_forward_equation():
    text = joined(wrong("rnn_step_forward", {"h_next"}))
    assert "w_hh.t" in text and "b_h" in text


def test_float32_with_right_values_gets_the_dtype_hint_only():
    """A float32 output whose values are right: say how to return float64, nothing about the maths."""
    f = Finding("rnn_step_forward", status="wrong", right_outputs={"h_next"}, not_float64={"h_next"},
                patterns={"h_next": {"not-float64", "dtype"}})
    text = joined(f)
    assert "`h_next` should be float64" in text and "dtype='f'" in text
    assert "b_h" not in text


def test_float32_with_wrong_values_gets_both_hints():
    f = wrong("rnn_step_forward", {"h_next"}, not_float64={"h_next"}, patterns={"h_next": {"not-float64"}})
    text = joined(f)
    assert "`h_next` should be float64" in text and "b_h" in text


def test_a_float32_forward_with_right_values_is_not_blamed_by_its_backward():
    """'Fix the forward first' only when the forward's values are wrong, not only its dtype."""
    f = wrong("lstm_backward", {"dx"}, {"dx", "dh0"}, forward_ok=True)
    assert "forward first" not in joined(f)
    f = wrong("lstm_backward", {"dx"}, {"dx", "dh0"}, forward_ok=False)
    assert "forward first" in joined(f)


def test_shared_weights_accumulate():
    f = wrong("rnn_backward", {"dW_xh", "dW_hh", "db_h"}, RNN_SEQ_GRADS)
    assert "accumulate" in joined(f)


@pytest.mark.parametrize("evidence", [dict(only_when={"T>1"}), dict(patterns={"dx": {"all-but-last-step"}})],
                         ids=["T>1", "all-but-last-step"])
def test_bptt_order_when_time_explains_it(evidence):
    f = wrong("rnn_backward", RNN_SEQ_GRADS, RNN_SEQ_GRADS, **evidence)
    text = joined(f)
    assert "last step back to the first" in text and "coming back from step t+1" in text


def test_cache_index_fallback_when_nothing_specific_fits():
    f = wrong("rnn_backward", RNN_SEQ_GRADS, RNN_SEQ_GRADS)
    assert "off by one" in joined(f)


def test_dh0_alone():
    f = wrong("rnn_backward", {"dh0"}, RNN_SEQ_GRADS, patterns={"dh0": {"zero"}})
    text = joined(f)
    assert "dh0 is the gradient leaving the first step" in text and "all zeros" in text


def test_h0_not_in_h():
    """Only a time axis one step too long points at h0 stored in h."""
    assert "h0 is not included" in joined(wrong("rnn_forward", {"h"}, patterns={"h": {"shape", "extra-time-step"}}))
    assert "h0 is not included" not in joined(wrong("rnn_forward", {"h"}, patterns={"h": {"shape"}}))


def test_state_is_carried():
    assert "previous step" in joined(wrong("rnn_forward", {"h"}, only_when={"T>1"}))
    assert "previous step" in joined(wrong("gru_forward", {"h"}, only_when={"T>1"}))


def test_mutation_hint_for_any_function():
    for function in ("rnn_backward", "clip_grad_norm"):
        f = Finding(function, status="wrong", mutated_inputs={"dh"})
        assert "in place" in joined(f)


def test_a_changed_dict_entry_gets_the_dict_hint_not_only_the_in_place_one():
    """grads[k] = ... changes the caller's dict without writing into any array: say so."""
    text = joined(Finding("clip_grad_norm", status="wrong", mutated_inputs={"grads['W_hh']"}))
    assert "dict or list you were given" in text and "d[k] = ..." in text
    assert "never write into an argument" not in text


def test_a_changed_cache_gets_the_container_hint_naming_caches():
    """cache.pop() in a backward changes the list the forward handed over: the hint names caches."""
    text = joined(Finding("rnn_backward", status="wrong", mutated_inputs={"cache[3]"}))
    assert "a cache" in text and ".pop()" in text


def test_no_hint_about_behaviour_that_was_never_seen():
    """A decay_rate that hangs on the error cases never showed whether it raises: no ValueError hint;
    one that returns an array where a number is asked is not told to fit its line differently."""
    from autograder.checks.common import CaseBuilder
    from autograder.grading import find
    case = CaseBuilder("decay_rate", "ValueError for one norm", behaviour="raises-on-bad-norms")
    case.r.status = "timeout"
    assert "raises-on-bad-norms" not in find("decay_rate", [case.result()]).failed_behaviours
    shaped = Finding("decay_rate", status="wrong", wrong_outputs={"rate"}, patterns={"rate": {"type"}})
    assert "least-squares" not in joined(shaped)
    assert "least-squares" in joined(Finding("decay_rate", status="wrong", wrong_outputs={"rate"},
                                             patterns={"rate": {"values"}}))


def test_jacobian_rows():
    text = joined(wrong("hidden_jacobian", {"J"}))
    assert "row i" in text and "not w_hh.t" in text


def test_gradient_norms():
    text = joined(wrong("gradient_norms_through_time", {"norms"}))
    for part in ("whole batch", "norms[t-1]", "taken at h_t", "last state"):
        assert part in text


def test_decay_rate():
    text = joined(wrong("decay_rate", {"rate"}, patterns={"rate": {"inverse"}}))
    assert "every norm" in text and "steps back" in text and "natural log" in text and "reciprocal" in text
    f = Finding("decay_rate", status="wrong", failed_behaviours={"raises-on-bad-norms"})
    assert "valueerror" in joined(f)


@pytest.mark.parametrize("evidence", [dict(), dict(only_when={"T>1"}), dict(patterns={"h": {"scale:other"}}),
                                      dict(not_float64={"h"}, patterns={"h": {"not-float64"}})],
                         ids=["values", "T>1", "factor", "float32"])
def test_c0_is_named_only_when_the_evidence_points_at_it(evidence):
    """'Start from c_0 = 0' only when h equals what starting the cell from h0 gives."""
    assert "c_0" not in joined(wrong("lstm_forward", {"h"}, **evidence))


def test_lstm_cell_gradient_sources():
    grads = {f"grads['{k}']" for k in spec.LSTM_PARAM_KEYS}
    everything = grads | {"dx", "dh_prev", "dc_prev"}
    f = wrong("lstm_step_backward", everything - {"grads['W_o']", "grads['b_o']"}, everything)
    text = joined(f)
    assert "dc_next" in text and "tanh(c)" in text


def test_lstm_sigmoid_derivative():
    grads = {f"grads['{k}']" for k in spec.LSTM_PARAM_KEYS}
    everything = grads | {"dx", "dh_prev", "dc_prev"}
    f = wrong("lstm_step_backward", everything - {"grads['W_c']", "grads['b_c']", "dc_prev"}, everything)
    assert "s * (1 - s)" in joined(f)


def test_lstm_forward_and_backward():
    assert "own weights" in joined(wrong("lstm_step_forward", {"h_next", "c_next"}))
    assert "c_0 = 0" in joined(wrong("lstm_forward", {"h"}, patterns={"h": {"c0-from-h0"}}))
    assert "carry both states" in joined(wrong("lstm_forward", {"h"}, only_when={"T>1"}))
    f = wrong("lstm_backward", {"dx", "dh0"}, failed_behaviours={"keeps-gradient"})
    assert "carry" in joined(f)


def test_gru():
    text = joined(wrong("gru_step_forward", {"h_next"}))
    assert "convention" in text and "before the matrix product" in text
    assert "paths" in joined(wrong("gru_step_backward", {"dh_prev"}, {"dx", "dh_prev"}))
    f = wrong("gru_step_backward", {"grads['W_z']"}, patterns={"grads['W_z']": {"sign"}})
    assert "wrong sign" in joined(f)


def test_clipping():
    def clip(wrong_outputs=(), behaviours=(), function="clip_grad_norm"):
        return joined(wrong(function, set(wrong_outputs), failed_behaviours=set(behaviours)))

    assert "global" in clip(["clipped['W']"], ["keeps-direction"])
    assert "unchanged" not in clip(["clipped['W']"], ["keeps-direction"])
    assert "unchanged" in clip(["clipped['W']"], ["unchanged-below-max"])
    assert "clip only when" not in clip(["clipped['W']"])   # no evidence that the small case failed
    assert "before clipping" in clip(["total_norm"])
    assert "max_norm <= 0" in clip(behaviours=["raises-on-nonpositive"])
    assert "not finite" in clip(behaviours=["raises-on-nonfinite"])
    assert "both sides" in clip(["clipped['W']"], function="clip_grad_value")
    assert "clip_value <= 0" in clip(behaviours=["raises-on-nonpositive"], function="clip_grad_value")


def test_products():
    assert "product" in joined(wrong("chain_product", {"product"}))
    assert "s * (1 - s)" in joined(wrong("max_activation_derivative", {"max sigmoid'"}))
    f = Finding("max_activation_derivative", status="wrong", failed_behaviours={"raises-on-unknown-name"})
    assert "valueerror" in joined(f)


def test_no_repeated_hint():
    f = wrong("rnn_backward", {"dW_xh", "dW_hh", "db_h"}, RNN_SEQ_GRADS,
              patterns={o: {"scale:1/T"} for o in ("dW_xh", "dW_hh", "db_h")})
    hints = hints_for(f)
    assert len(hints) == len(set(hints))


# ---------------------------------------------------------------------------
# What hints must never contain

def _reference_numbers():
    """Numbers a hint could leak: the answer key's results on the SPEC's examples."""
    values = [solutions.chain_product([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]),
              solutions.chain_product([1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7])]
    values += [solutions.max_activation_derivative(n) for n in ("tanh", "sigmoid", "relu")]
    return values


def test_hints_hold_no_decimal_numbers():
    """Are hints static texts without numeric values (no decimals at all)?"""
    for text in all_texts():
        assert not re.search(r"\d\.\d|\d+e-?\d", text), text


def test_hints_hold_no_reference_values():
    """No reference value (0.25, 0.018144, ...) in any spelling appears in a hint."""
    leaks = set()
    for value in _reference_numbers():
        for spelling in (repr(value), f"{value:g}", f"{value:.2f}", f"{value:.4g}"):
            if spelling not in ("1.0", "1", "1.00"):
                leaks.add(spelling)
    for text in all_texts():
        for leak in leaks:
            assert leak not in text, (leak, text)


def test_only_small_integers_in_hints():
    """Digits in hints belong to formulas (1 - h**2, s = 1/2, c_0 = 0), never to values."""
    for text in all_texts():
        for number in re.findall(r"\d+", text):
            assert number in ("0", "1", "2", "32", "64"), (number, text)   # float32 / float64


def test_hints_quote_no_line_of_the_answer_key():
    """No line of a reference function's body appears in a hint."""
    lines = set()
    for name in spec.FUNCTIONS:
        source = inspect.getsource(getattr(solutions, name))
        body = source.split('"""')[-1]
        lines.update(line.strip() for line in body.splitlines()
                     if len(line.strip()) > 12 and not line.strip().startswith("#"))
    for text in all_texts():
        for line in lines:
            assert line not in text, (line, text)


@pytest.mark.parametrize("function", spec.FUNCTIONS)
def test_every_contract_function_has_a_hint_for_wrong_values(function):
    """Is there something to say for every function whose main output is wrong?"""
    outputs = {
        "chain_product": {"product"}, "max_activation_derivative": {"max sigmoid'"},
        "rnn_step_forward": {"h_next"}, "rnn_step_backward": RNN_STEP_GRADS,
        "rnn_forward": {"h"}, "rnn_backward": RNN_SEQ_GRADS,
        "hidden_jacobian": {"J"}, "gradient_norms_through_time": {"norms"}, "decay_rate": {"rate"},
        "lstm_step_forward": {"h_next"}, "lstm_step_backward": {"dx", "dh_prev", "dc_prev"},
        "lstm_forward": {"h"}, "lstm_backward": {"dx", "dh0"},
        "gru_step_forward": {"h_next"}, "gru_step_backward": {"dx", "dh_prev", "grads['W_z']"},
        "gru_forward": {"h"}, "gru_backward": {"dx", "dh0"},
        "clip_grad_norm": {"clipped['W']"}, "clip_grad_value": {"clipped['W']"},
    }[function]
    assert hints_for(wrong(function, outputs)), function
