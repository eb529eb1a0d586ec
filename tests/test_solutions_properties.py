"""Does the answer key hold up on arbitrary shapes and values? (hypothesis)

Shapes N, T, D, H range over 1..4 and values over bounded floats. Every
backward pass is checked along a random direction by central differences
(gradcheck.directional_check): two loss evaluations per example, so many
examples stay cheap.
"""

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import solutions as S
from autograder.gradcheck import directional_check

LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
GRU_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")

sizes = st.integers(min_value=1, max_value=4)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def _floats(bound):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=64)


def _array(draw, shape, bound):
    return draw(hnp.arrays(np.float64, shape, elements=_floats(bound)))


@st.composite
def rnn_case(draw, sequence):
    """Inputs (x and the initial state), weights and an upstream gradient."""
    N, T, D, H = draw(sizes), draw(sizes), draw(sizes), draw(sizes)
    x_shape = (N, T, D) if sequence else (N, D)
    return {
        "x": _array(draw, x_shape, 2.0),
        "h": _array(draw, (N, H), 1.0),
        "W_xh": _array(draw, (H, D), 1.0),
        "W_hh": _array(draw, (H, H), 1.0),
        "b_h": _array(draw, (H,), 1.0),
        "dout": _array(draw, (N, T, H) if sequence else (N, H), 1.0),
    }


@st.composite
def gated_case(draw, keys, sequence):
    N, T, D, H = draw(sizes), draw(sizes), draw(sizes), draw(sizes)
    case = {
        "x": _array(draw, (N, T, D) if sequence else (N, D), 2.0),
        "h": _array(draw, (N, H), 1.0),
        "dout": _array(draw, (N, T, H) if sequence else (N, H), 1.0),
    }
    for key in keys:
        case[key] = _array(draw, (H, H + D) if key.startswith("W_") else (H,), 1.0)
    return case


def assert_directional_agreement(loss, point, grads, seed):
    """The analytic directional derivative matches the central difference.

    The tolerance scales with the gradient's norm: the directional
    derivative along a random unit u is about ||g|| / sqrt(size) and may be
    near 0 by chance, while a wrong gradient is off by a fraction of ||g||.
    """
    numeric, analytic = directional_check(loss, point, grads, np.random.default_rng(seed))
    scale = np.sqrt(sum(float(np.sum(np.asarray(g) ** 2)) for g in grads.values()))
    assert abs(numeric - analytic) <= 1e-6 * scale + 1e-9, (numeric, analytic, scale)


def _assert_shapes_and_finite(arrays, shapes):
    for name, shape in shapes.items():
        assert np.shape(arrays[name]) == shape, name
        assert np.all(np.isfinite(arrays[name])), name


# --------------------------------------------------------------------- RNN
@given(rnn_case(sequence=False), seeds)
def test_rnn_step(case, seed):
    point = {k: case[k] for k in ("x", "h", "W_xh", "W_hh", "b_h")}
    h_next, cache = S.rnn_step_forward(*point.values())
    dx, dh, dW_xh, dW_hh, db_h = S.rnn_step_backward(case["dout"], cache)
    grads = {"x": dx, "h": dh, "W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h}
    _assert_shapes_and_finite({"h_next": h_next, **grads},
                              {"h_next": case["dout"].shape, **{k: v.shape for k, v in point.items()}})
    assert np.all(np.abs(h_next) <= 1.0)

    def loss(p):
        return float(np.sum(S.rnn_step_forward(*p.values())[0] * case["dout"]))

    assert_directional_agreement(loss, point, grads, seed)


@given(rnn_case(sequence=True), seeds)
def test_rnn_sequence(case, seed):
    point = {k: case[k] for k in ("x", "h", "W_xh", "W_hh", "b_h")}
    h, cache = S.rnn_forward(*point.values())
    dx, dh0, dW_xh, dW_hh, db_h = S.rnn_backward(case["dout"], cache)
    grads = {"x": dx, "h": dh0, "W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h}
    _assert_shapes_and_finite({"h": h, **grads},
                              {"h": case["dout"].shape, **{k: v.shape for k, v in point.items()}})

    def loss(p):
        return float(np.sum(S.rnn_forward(*p.values())[0] * case["dout"]))

    assert_directional_agreement(loss, point, grads, seed)


@given(rnn_case(sequence=True))
def test_rnn_forward_is_rnn_step_forward_in_a_loop(case):
    h, _ = S.rnn_forward(case["x"], case["h"], case["W_xh"], case["W_hh"], case["b_h"])
    h_t = case["h"]
    for t in range(case["x"].shape[1]):
        h_t, _ = S.rnn_step_forward(case["x"][:, t, :], h_t, case["W_xh"], case["W_hh"], case["b_h"])
        np.testing.assert_allclose(h[:, t, :], h_t, rtol=1e-15, atol=1e-15)


@given(rnn_case(sequence=True))
def test_gradient_flow_outputs(case):
    N, H = case["h"].shape
    T = case["x"].shape[1]
    h, _ = S.rnn_forward(case["x"], case["h"], case["W_xh"], case["W_hh"], case["b_h"])
    J = S.hidden_jacobian(h[:, -1, :], case["W_hh"])
    _assert_shapes_and_finite({"J": J}, {"J": (N, H, H)})
    dh_T = case["dout"][:, -1, :]
    norms = S.gradient_norms_through_time(case["x"], case["h"], case["W_xh"], case["W_hh"],
                                          case["b_h"], dh_T)
    _assert_shapes_and_finite({"norms": norms}, {"norms": (T,)})
    assert norms[-1] == np.linalg.norm(dh_T)
    assert np.all(norms >= 0)


# -------------------------------------------------------------------- LSTM
@given(gated_case(LSTM_KEYS, sequence=False), seeds)
def test_lstm_step(case, seed):
    c_prev = np.tanh(case["h"][:, ::-1] * 2.0)               # another (N, H) array
    dc = case["dout"][:, ::-1].copy()
    point = {"x": case["x"], "h": case["h"], "c": c_prev, **{k: case[k] for k in LSTM_KEYS}}

    def run(p):
        return S.lstm_step_forward(p["x"], p["h"], p["c"], {k: p[k] for k in LSTM_KEYS})

    h_next, c_next, cache = run(point)
    dx, dh, dc_prev, pgrads = S.lstm_step_backward(case["dout"], dc, cache)
    grads = {"x": dx, "h": dh, "c": dc_prev, **pgrads}
    _assert_shapes_and_finite({"h_next": h_next, "c_next": c_next, **grads},
                              {"h_next": c_prev.shape, "c_next": c_prev.shape,
                               **{k: np.shape(v) for k, v in point.items()}})

    def loss(p):
        h_n, c_n, _ = run(p)
        return float(np.sum(h_n * case["dout"]) + np.sum(c_n * dc))

    assert_directional_agreement(loss, point, grads, seed)


def _check_gated_single_output(case, seed, keys, forward, backward):
    """A gated forward with one output (h) and its backward (dx, dh, grads):
    shapes, finiteness and a directional finite-difference check."""
    point = {"x": case["x"], "h": case["h"], **{k: case[k] for k in keys}}

    def run(p):
        return forward(p["x"], p["h"], {k: p[k] for k in keys})

    h, cache = run(point)
    dx, dh, pgrads = backward(case["dout"], cache)
    grads = {"x": dx, "h": dh, **pgrads}
    _assert_shapes_and_finite({"h_out": h, **grads},
                              {"h_out": case["dout"].shape, **{k: np.shape(v) for k, v in point.items()}})

    def loss(p):
        return float(np.sum(run(p)[0] * case["dout"]))

    assert_directional_agreement(loss, point, grads, seed)


@given(gated_case(LSTM_KEYS, sequence=True), seeds)
def test_lstm_sequence(case, seed):
    _check_gated_single_output(case, seed, LSTM_KEYS, S.lstm_forward, S.lstm_backward)


# --------------------------------------------------------------------- GRU
@given(gated_case(GRU_KEYS, sequence=False), seeds)
def test_gru_step(case, seed):
    _check_gated_single_output(case, seed, GRU_KEYS, S.gru_step_forward, S.gru_step_backward)


@given(gated_case(GRU_KEYS, sequence=True), seeds)
def test_gru_sequence(case, seed):
    _check_gated_single_output(case, seed, GRU_KEYS, S.gru_forward, S.gru_backward)


# ---------------------------------------------------------------- clipping
gradient_dicts = st.dictionaries(
    keys=st.sampled_from(["W", "b", "U", "c"]),
    values=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                      elements=_floats(1e3)),
    min_size=1, max_size=4)
positive = st.floats(1e-3, 1e3, allow_nan=False)


def _flat(grads, keys):
    return np.concatenate([np.ravel(grads[k]) for k in keys])


@given(gradient_dicts, positive)
def test_clip_grad_norm_properties(grads, max_norm):
    snapshot = {k: v.copy() for k, v in grads.items()}
    clipped, total_norm = S.clip_grad_norm(grads, max_norm)
    keys = sorted(grads)
    flat, flat_clipped = _flat(grads, keys), _flat(clipped, keys)
    # math.hypot neither overflows nor underflows, unlike summing squares.
    assert total_norm == pytest.approx(math.hypot(*flat), rel=1e-12, abs=0)
    if total_norm <= max_norm:
        np.testing.assert_array_equal(flat_clipped, flat)
    else:
        # Same direction: the clipped gradient is a positive multiple of the original.
        np.testing.assert_allclose(flat_clipped, flat * (max_norm / total_norm), rtol=1e-12,
                                   atol=1e-300)
        assert math.hypot(*flat_clipped) <= max_norm * (1 + 1e-12)
    for k in grads:
        assert clipped[k].shape == snapshot[k].shape
        assert not np.shares_memory(clipped[k], grads[k])
        np.testing.assert_array_equal(grads[k], snapshot[k])


@given(gradient_dicts, positive)
def test_clip_grad_value_properties(grads, clip_value):
    snapshot = {k: v.copy() for k, v in grads.items()}
    clipped = S.clip_grad_value(grads, clip_value)
    for k in grads:
        assert clipped[k].shape == grads[k].shape
        assert np.all(np.abs(clipped[k]) <= clip_value)
        inside = np.abs(grads[k]) <= clip_value
        np.testing.assert_array_equal(clipped[k][inside], grads[k][inside])
        np.testing.assert_array_equal(clipped[k][~inside], np.sign(grads[k][~inside]) * clip_value)
        np.testing.assert_array_equal(grads[k], snapshot[k])


# -------------------------------------------------------------- decay rate
@given(st.integers(min_value=2, max_value=60),
       st.floats(1e-3, 1e3), st.floats(0.1, 10.0))
def test_decay_rate_of_a_geometric_sequence_is_its_ratio(T, c, a):
    k = np.arange(T)[::-1]                                   # steps back: T-1 .. 0
    norms = c * a ** k.astype(np.float64)
    assert abs(S.decay_rate(norms) - a) <= 1e-9 * a
