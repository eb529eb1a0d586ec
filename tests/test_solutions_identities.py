"""Does the answer key obey the identities and error rules of SPEC.md?

Exact special cases (a one-step sequence, saturated gates), the clipping
rules, input immutability for every contract function, a warning-free
sigmoid, and the ValueErrors the contract promises.
"""

import copy
import math
import warnings

import numpy as np
import pytest

import solutions as S

LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
GRU_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)


def _away_from_zero(rng, shape):
    """Random values with magnitude in [0.1, ~3]: a perturbation of 1e-22
    cannot change them, so exact equality is the right test."""
    return np.sign(rng.standard_normal(shape)) * (0.1 + np.abs(rng.standard_normal(shape)))


def _gate_params(keys, H, D, rng, std=0.5):
    return {key: std * rng.standard_normal((H, H + D) if key.startswith("W_") else (H,))
            for key in keys}


# ------------------------------------------------------------- exact cases
def test_rnn_forward_of_one_step_is_rnn_step_forward(rng):
    N, D, H = 3, 4, 5
    x = rng.standard_normal((N, 1, D))
    h0 = rng.standard_normal((N, H))
    W_xh, W_hh, b_h = rng.standard_normal((H, D)), rng.standard_normal((H, H)), rng.standard_normal(H)
    h, cache = S.rnn_forward(x, h0, W_xh, W_hh, b_h)
    h1, step_cache = S.rnn_step_forward(x[:, 0, :], h0, W_xh, W_hh, b_h)
    assert h.shape == (N, 1, H)
    np.testing.assert_array_equal(h[:, 0, :], h1)

    dh = rng.standard_normal((N, 1, H))
    dx, dh0, dW_xh, dW_hh, db_h = S.rnn_backward(dh, cache)
    step = S.rnn_step_backward(dh[:, 0, :], step_cache)
    for seq, one in zip((dx[:, 0, :], dh0, dW_xh, dW_hh, db_h), step):
        np.testing.assert_allclose(seq, one, rtol=1e-15, atol=1e-15)


def test_lstm_with_forget_gate_1_and_input_gate_0_keeps_the_cell(rng):
    """With f = sigmoid(50) = 1.0 (W_f = 0) and i = sigmoid(-50 + small) ~ 2e-22,
    c_next = c_prev exactly; and with no gradient on h, dc passes unchanged."""
    N, D, H = 3, 2, 4
    params = _gate_params(LSTM_KEYS, H, D, rng)
    params["W_f"] = np.zeros((H, H + D))
    params["b_f"] = np.full(H, 50.0)
    params["b_i"] = np.full(H, -50.0)
    x = rng.standard_normal((N, D))
    h_prev = rng.standard_normal((N, H))
    c_prev = _away_from_zero(rng, (N, H))
    h_next, c_next, cache = S.lstm_step_forward(x, h_prev, c_prev, params)
    np.testing.assert_array_equal(c_next, c_prev)
    assert np.all(np.isfinite(h_next))
    dc_next = _away_from_zero(rng, (N, H))
    _, _, dc_prev, _ = S.lstm_step_backward(np.zeros((N, H)), dc_next, cache)
    np.testing.assert_array_equal(dc_prev, dc_next)


def test_gru_with_update_gate_0_copies_h_and_its_gradient(rng):
    """With z = sigmoid(-50) ~ 2e-22 (W_z = 0), h_next = h_prev and
    gru_step_backward hands dL/dh back unchanged (every other path is
    scaled by z)."""
    N, D, H = 3, 2, 4
    params = _gate_params(GRU_KEYS, H, D, rng)
    params["W_z"] = np.zeros((H, H + D))
    params["b_z"] = np.full(H, -50.0)
    x = rng.standard_normal((N, D))
    h_prev = _away_from_zero(rng, (N, H))
    h_next, cache = S.gru_step_forward(x, h_prev, params)
    np.testing.assert_array_equal(h_next, h_prev)
    dh_next = _away_from_zero(rng, (N, H))
    dx, dh_prev, grads = S.gru_step_backward(dh_next, cache)
    np.testing.assert_array_equal(dh_prev, dh_next)
    assert np.max(np.abs(dx)) < 1e-20
    for key in ("W_h", "b_h", "W_r", "b_r"):
        assert np.max(np.abs(grads[key])) < 1e-20, key


# ---------------------------------------------------------------- clipping
def _grads(rng, scale=1.0):
    return {"W": scale * rng.standard_normal((3, 4)), "b": scale * rng.standard_normal(3),
            "s": np.array(scale * 0.5)}


def _norm(grads):
    return math.sqrt(sum(float(np.sum(g ** 2)) for g in grads.values()))


def test_clip_grad_norm_below_the_threshold_returns_equal_new_arrays(rng):
    grads = _grads(rng)
    total = _norm(grads)
    clipped, total_norm = S.clip_grad_norm(grads, max_norm=total * 1.5)
    assert total_norm == pytest.approx(total, rel=1e-14)
    assert clipped is not grads
    assert set(clipped) == set(grads)
    for name, g in grads.items():
        assert clipped[name] is not g
        assert not np.shares_memory(clipped[name], g)
        np.testing.assert_array_equal(clipped[name], g, strict=True)


def test_clip_grad_norm_at_the_threshold_does_not_scale(rng):
    grads = {"a": np.array([3.0, 4.0])}
    clipped, total_norm = S.clip_grad_norm(grads, max_norm=5.0)
    assert total_norm == 5.0
    np.testing.assert_array_equal(clipped["a"], grads["a"])


@pytest.mark.parametrize("factor", [1.01, 10.0, 1e6], ids=["just-above", "10x", "1e6x"])
def test_clip_grad_norm_above_the_threshold_caps_the_norm_and_keeps_the_direction(rng, factor):
    grads = _grads(rng)
    total = _norm(grads)
    max_norm = total / factor
    clipped, total_norm = S.clip_grad_norm(grads, max_norm)
    assert total_norm == pytest.approx(total, rel=1e-14)      # the norm before clipping
    assert _norm(clipped) == pytest.approx(max_norm, rel=1e-12)
    flat = np.concatenate([np.ravel(grads[k]) for k in grads])
    flat_clipped = np.concatenate([np.ravel(clipped[k]) for k in grads])
    cosine = flat @ flat_clipped / (np.linalg.norm(flat) * np.linalg.norm(flat_clipped))
    assert cosine == pytest.approx(1.0, abs=1e-12)
    for name in grads:
        assert clipped[name].shape == np.shape(grads[name])
        np.testing.assert_allclose(clipped[name], grads[name] / factor, rtol=1e-12)


def test_clip_grad_norm_handles_huge_finite_gradients():
    """Squaring 1e200 overflows; the norm of [3e200, 4e200] is still 5e200."""
    grads = {"a": np.array([3e200, 4e200])}
    clipped, total_norm = S.clip_grad_norm(grads, max_norm=1.0)
    assert total_norm == pytest.approx(5e200, rel=1e-14)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.8], rtol=1e-14)


@pytest.mark.parametrize("max_norm", [0.0, -1.0, float("nan")], ids=["zero", "negative", "nan"])
def test_clip_grad_norm_rejects_a_bad_max_norm(rng, max_norm):
    with pytest.raises(ValueError):
        S.clip_grad_norm(_grads(rng), max_norm)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_clip_grad_norm_rejects_non_finite_gradients(rng, bad):
    grads = _grads(rng)
    grads["W"][1, 2] = bad
    with pytest.raises(ValueError):
        S.clip_grad_norm(grads, 1.0)


def test_clip_grad_value_clamps_every_element(rng):
    grads = _grads(rng, scale=3.0)
    clipped = S.clip_grad_value(grads, 1.0)
    assert set(clipped) == set(grads)
    for name, g in grads.items():
        assert not np.shares_memory(clipped[name], g)
        np.testing.assert_array_equal(clipped[name], np.minimum(np.maximum(g, -1.0), 1.0))
        inside = np.abs(g) <= 1.0
        np.testing.assert_array_equal(clipped[name][inside], g[inside])
    assert any(np.any(np.abs(g) > 1.0) for g in grads.values())   # the case clamps something


@pytest.mark.parametrize("clip_value", [0.0, -0.5, float("nan")], ids=["zero", "negative", "nan"])
def test_clip_grad_value_rejects_a_bad_clip_value(rng, clip_value):
    with pytest.raises(ValueError):
        S.clip_grad_value(_grads(rng), clip_value)


# ------------------------------------------------- inputs are never changed
def _contract_calls(rng):
    """For every contract function: (name, inputs, call). call(inputs) runs
    the function (a backward after its forward, on the forward's cache)."""
    N, T, D, H = 2, 3, 3, 2
    x1, h1, c1 = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    xs, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    rnn_w = {"W_xh": rng.standard_normal((H, D)), "W_hh": rng.standard_normal((H, H)),
             "b_h": rng.standard_normal(H)}
    lstm_p = _gate_params(LSTM_KEYS, H, D, rng)
    gru_p = _gate_params(GRU_KEYS, H, D, rng)
    d1, ds = rng.standard_normal((N, H)), rng.standard_normal((N, T, H))

    def rnn_step(i):
        _, cache = S.rnn_step_forward(i["x"], i["h"], i["W_xh"], i["W_hh"], i["b_h"])
        S.rnn_step_backward(i["d"], cache)

    def rnn_seq(i):
        _, cache = S.rnn_forward(i["x"], i["h"], i["W_xh"], i["W_hh"], i["b_h"])
        S.rnn_backward(i["d"], cache)

    def lstm_step(i):
        *_, cache = S.lstm_step_forward(i["x"], i["h"], i["c"], i["p"])
        S.lstm_step_backward(i["d"], i["dc"], cache)

    def lstm_seq(i):
        _, cache = S.lstm_forward(i["x"], i["h"], i["p"])
        S.lstm_backward(i["d"], cache)

    def gru_step(i):
        _, cache = S.gru_step_forward(i["x"], i["h"], i["p"])
        S.gru_step_backward(i["d"], cache)

    def gru_seq(i):
        _, cache = S.gru_forward(i["x"], i["h"], i["p"])
        S.gru_backward(i["d"], cache)

    grads = {"W": 10 * rng.standard_normal((2, 3)), "b": 10 * rng.standard_normal(2)}
    factors = np.array([0.9, 0.8, 0.7])
    return [
        ("chain_product", {"f": factors}, lambda i: S.chain_product(i["f"])),
        ("rnn_step_forward+backward", {"x": x1, "h": h1, **rnn_w, "d": d1}, rnn_step),
        ("rnn_forward+backward", {"x": xs, "h": h0, **rnn_w, "d": ds}, rnn_seq),
        ("hidden_jacobian", {"h": np.tanh(h1), "W": rnn_w["W_hh"]},
         lambda i: S.hidden_jacobian(i["h"], i["W"])),
        ("gradient_norms_through_time", {"x": xs, "h": h0, **rnn_w, "d": d1},
         lambda i: S.gradient_norms_through_time(i["x"], i["h"], i["W_xh"], i["W_hh"],
                                                 i["b_h"], i["d"])),
        ("decay_rate", {"n": np.array([4.0, 2.0, 1.0])}, lambda i: S.decay_rate(i["n"])),
        ("lstm_step_forward+backward",
         {"x": x1, "h": h1, "c": c1, "p": lstm_p, "d": d1, "dc": c1 * 0.5}, lstm_step),
        ("lstm_forward+backward", {"x": xs, "h": h0, "p": lstm_p, "d": ds}, lstm_seq),
        ("gru_step_forward+backward", {"x": x1, "h": h1, "p": gru_p, "d": d1}, gru_step),
        ("gru_forward+backward", {"x": xs, "h": h0, "p": gru_p, "d": ds}, gru_seq),
        ("clip_grad_norm", {"g": grads}, lambda i: S.clip_grad_norm(i["g"], 1.0)),
        ("clip_grad_value", {"g": grads}, lambda i: S.clip_grad_value(i["g"], 1.0)),
        ("sigmoid", {"x": x1}, lambda i: S.sigmoid(i["x"])),
    ]


def _assert_same(before, after, where):
    if isinstance(before, dict):
        assert set(before) == set(after), f"{where}: keys changed"
        for key in before:
            _assert_same(before[key], after[key], f"{where}[{key!r}]")
    else:
        np.testing.assert_array_equal(after, before, err_msg=f"{where} was modified")


_CALL_NAMES = [name for name, *_ in _contract_calls(np.random.default_rng(0))]


@pytest.mark.parametrize("index", range(len(_CALL_NAMES)), ids=_CALL_NAMES)
def test_no_contract_function_modifies_its_inputs(index):
    """Are the inputs (and, for a backward, the upstream gradient and the
    arrays its forward received, which a cache may alias) unchanged?"""
    name, inputs, call = _contract_calls(np.random.default_rng(index))[index]
    snapshot = copy.deepcopy(inputs)
    call(inputs)
    _assert_same(snapshot, inputs, name)


def test_every_contract_function_is_checked_for_input_immutability():
    covered = set()
    for name in _CALL_NAMES:
        if name.endswith("+backward"):
            forward = name[:-len("+backward")]
            covered |= {forward, forward.replace("forward", "backward")}
        else:
            covered.add(name)
    # max_activation_derivative takes only a string, which cannot change.
    assert set(S.__all__) - covered == {"max_activation_derivative"}


# ----------------------------------------------------------------- sigmoid
def test_sigmoid_is_silent_up_to_1e3_in_magnitude():
    """No overflow, invalid or division warning anywhere in [-1e3, 1e3].

    Warnings are errors here and numpy raises on overflow, invalid and
    divide. Underflow is not a warning in numpy's default settings, and
    exp(-1000) correctly underflows to 0, so it is left at numpy's default;
    below 700 in magnitude even underflow cannot happen and all='raise' holds.
    """
    x = np.concatenate([np.linspace(-1e3, 1e3, 20001), [-1e3, 1e3, -745.5, 745.5, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s = S.sigmoid(x)
    assert np.all((s >= 0.0) & (s <= 1.0))
    assert S.sigmoid(np.array([1e3]))[0] == 1.0
    assert S.sigmoid(np.array([-1e3]))[0] == 0.0
    moderate = np.linspace(-700.0, 700.0, 14001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            S.sigmoid(moderate)


def test_sigmoid_matches_the_textbook_formula_where_that_is_safe():
    x = np.linspace(-30.0, 30.0, 6001)
    np.testing.assert_allclose(S.sigmoid(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-14)
    assert S.sigmoid(np.array([0.0]))[0] == 0.5
    np.testing.assert_allclose(S.sigmoid(-x), 1.0 - S.sigmoid(x), atol=1e-15)


def test_sigmoid_keeps_the_shape():
    assert S.sigmoid(np.zeros((2, 3, 4))).shape == (2, 3, 4)


# -------------------------------------------------------- contract errors
@pytest.mark.parametrize("norms", [[], [1.0], [1.0, 0.0], [2.0, -1.0, 0.5], [1.0, float("nan")]],
                         ids=["empty", "one-norm", "zero", "negative", "nan"])
def test_decay_rate_rejects_what_has_no_rate(norms):
    with pytest.raises(ValueError):
        S.decay_rate(np.array(norms))


@pytest.mark.parametrize("name", ["softplus", "leaky_relu", "", "sigmoid "],
                         ids=["softplus", "leaky_relu", "empty", "trailing-space"])
def test_max_activation_derivative_rejects_other_names(name):
    with pytest.raises(ValueError):
        S.max_activation_derivative(name)
