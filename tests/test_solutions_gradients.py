"""Are the answer key's backward passes the true derivatives of its forward passes?

Every backward function is compared with central finite differences
(autograder.gradcheck) for every input and every parameter, on small shapes
that include N=1, T=1, H=1, D==H, D!=H and T>=8. The scalar loss is
L = sum(out * dout) for a random upstream gradient dout, so the backward
pass given dout must return dL/d(everything). Weights are moderate
(std 0.5) so no unit saturates and the finite differences are accurate.
"""

import zlib

import numpy as np
import pytest

import solutions as S
from autograder.gradcheck import numerical_gradient, numerical_gradients, rel_error

GRAD_TOL = 1e-7
RESOLVABLE = 1e-4   # smallest gradient element the check can resolve to GRAD_TOL
WEIGHT_STD = 0.5

LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
GRU_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")

# (id, N, T, D, H): every edge the brief asks for, each at least once.
SEQUENCE_SHAPES = [
    ("N1-D!=H", 1, 3, 2, 3),
    ("T1-D==H", 2, 1, 3, 3),
    ("H1", 2, 4, 2, 1),
    ("D==H", 3, 3, 2, 2),
    ("D!=H", 2, 3, 4, 2),
    ("T8", 2, 8, 2, 3),
]
# A single step has no T: (id, N, D, H).
STEP_SHAPES = [
    ("N1-D!=H", 1, 2, 3),
    ("H1", 2, 2, 1),
    ("D==H", 3, 3, 3),
    ("D!=H", 2, 4, 2),
]
# A few cases draw a true gradient element too close to 0 for central
# differences to resolve (see assert_gradients_match); they get another seed.
RESEED = {("gru_step", "N1-D!=H"): 1, ("gru_step", "D==H"): 1}


def _rng(model, case_id):
    """A generator for one case, the same on every run and platform."""
    seed = RESEED.get((model, case_id), 0)
    return np.random.default_rng([zlib.crc32(f"{model}/{case_id}".encode()), seed])


def _gate_params(keys, H, D, rng):
    return {key: WEIGHT_STD * rng.standard_normal((H, H + D) if key.startswith("W_") else (H,))
            for key in keys}


def _rnn_params(H, D, rng):
    return {"W_xh": WEIGHT_STD * rng.standard_normal((H, D)),
            "W_hh": WEIGHT_STD * rng.standard_normal((H, H)),
            "b_h": WEIGHT_STD * rng.standard_normal(H)}


def assert_gradients_match(analytic, point, loss):
    """Every analytic gradient equals the central difference of loss at point.

    Central differences carry an absolute error near 1e-11 (rounding of L
    divided by 2h), so the elementwise relative error can only reach 1e-7
    for elements well above 1e-4 in magnitude. The seeded inputs are chosen
    so that every true gradient element is; the first assertion says so
    when a new case breaks that (pick another seed then, not a looser
    tolerance).
    """
    numeric = numerical_gradients(loss, point)
    # Exact zeros are fine (a parameter that cannot matter, such as W_f
    # when c_0 = 0 and T = 1): there the analytic value must be 0 too.
    smallest = min((float(np.min(np.abs(g[g != 0]))) for g in numeric.values() if np.any(g != 0)),
                   default=np.inf)
    assert smallest > RESOLVABLE, (
        f"a gradient element of {smallest:.1e} is below what central differences resolve "
        f"to {GRAD_TOL}: this test case needs other random values")
    assert set(analytic) == set(point)
    errors = {name: rel_error(analytic[name], numeric[name]) for name in point}
    bad = {name: err for name, err in errors.items() if not err < GRAD_TOL}
    assert not bad, f"relative errors above {GRAD_TOL}: {bad}"


def _cases(model, shapes):
    return [pytest.param(shape, id=f"{model}-{shape[0]}") for shape in shapes]


# --------------------------------------------------------------------- RNN
@pytest.mark.parametrize("shape", _cases("rnn_step", STEP_SHAPES))
def test_rnn_step_backward_matches_finite_differences(shape):
    case_id, N, D, H = shape
    rng = _rng("rnn_step", case_id)
    point = {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)),
             **_rnn_params(H, D, rng)}
    dout = rng.standard_normal((N, H))

    def loss(p):
        h_next, _ = S.rnn_step_forward(p["x"], p["h_prev"], p["W_xh"], p["W_hh"], p["b_h"])
        return float(np.sum(h_next * dout))

    _, cache = S.rnn_step_forward(**point)
    dx, dh_prev, dW_xh, dW_hh, db_h = S.rnn_step_backward(dout, cache)
    analytic = {"x": dx, "h_prev": dh_prev, "W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h}
    assert_gradients_match(analytic, point, loss)


@pytest.mark.parametrize("shape", _cases("rnn", SEQUENCE_SHAPES))
def test_rnn_backward_matches_finite_differences(shape):
    case_id, N, T, D, H = shape
    rng = _rng("rnn", case_id)
    point = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
             **_rnn_params(H, D, rng)}
    dout = rng.standard_normal((N, T, H))

    def loss(p):
        h, _ = S.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
        return float(np.sum(h * dout))

    _, cache = S.rnn_forward(**point)
    dx, dh0, dW_xh, dW_hh, db_h = S.rnn_backward(dout, cache)
    analytic = {"x": dx, "h0": dh0, "W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h}
    assert_gradients_match(analytic, point, loss)


# -------------------------------------------------------------------- LSTM
@pytest.mark.parametrize("shape", _cases("lstm_step", STEP_SHAPES))
def test_lstm_step_backward_matches_finite_differences(shape):
    case_id, N, D, H = shape
    rng = _rng("lstm_step", case_id)
    point = {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)),
             "c_prev": rng.standard_normal((N, H)), **_gate_params(LSTM_KEYS, H, D, rng)}
    dh_next = rng.standard_normal((N, H))
    dc_next = rng.standard_normal((N, H))

    def split(p):
        return p["x"], p["h_prev"], p["c_prev"], {key: p[key] for key in LSTM_KEYS}

    def loss(p):
        h_next, c_next, _ = S.lstm_step_forward(*split(p))
        return float(np.sum(h_next * dh_next) + np.sum(c_next * dc_next))

    _, _, cache = S.lstm_step_forward(*split(point))
    dx, dh_prev, dc_prev, grads = S.lstm_step_backward(dh_next, dc_next, cache)
    assert set(grads) == set(LSTM_KEYS)
    analytic = {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, **grads}
    assert_gradients_match(analytic, point, loss)


@pytest.mark.parametrize("shape", _cases("lstm", SEQUENCE_SHAPES))
def test_lstm_backward_matches_finite_differences(shape):
    case_id, N, T, D, H = shape
    rng = _rng("lstm", case_id)
    point = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
             **_gate_params(LSTM_KEYS, H, D, rng)}
    dout = rng.standard_normal((N, T, H))

    def loss(p):
        h, _ = S.lstm_forward(p["x"], p["h0"], {key: p[key] for key in LSTM_KEYS})
        return float(np.sum(h * dout))

    _, cache = S.lstm_forward(point["x"], point["h0"], {key: point[key] for key in LSTM_KEYS})
    dx, dh0, grads = S.lstm_backward(dout, cache)
    assert set(grads) == set(LSTM_KEYS)
    analytic = {"x": dx, "h0": dh0, **grads}
    assert_gradients_match(analytic, point, loss)


# --------------------------------------------------------------------- GRU
@pytest.mark.parametrize("shape", _cases("gru_step", STEP_SHAPES))
def test_gru_step_backward_matches_finite_differences(shape):
    case_id, N, D, H = shape
    rng = _rng("gru_step", case_id)
    point = {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)),
             **_gate_params(GRU_KEYS, H, D, rng)}
    dout = rng.standard_normal((N, H))

    def loss(p):
        h_next, _ = S.gru_step_forward(p["x"], p["h_prev"], {key: p[key] for key in GRU_KEYS})
        return float(np.sum(h_next * dout))

    _, cache = S.gru_step_forward(point["x"], point["h_prev"],
                                  {key: point[key] for key in GRU_KEYS})
    dx, dh_prev, grads = S.gru_step_backward(dout, cache)
    assert set(grads) == set(GRU_KEYS)
    analytic = {"x": dx, "h_prev": dh_prev, **grads}
    assert_gradients_match(analytic, point, loss)


@pytest.mark.parametrize("shape", _cases("gru", SEQUENCE_SHAPES))
def test_gru_backward_matches_finite_differences(shape):
    case_id, N, T, D, H = shape
    rng = _rng("gru", case_id)
    point = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
             **_gate_params(GRU_KEYS, H, D, rng)}
    dout = rng.standard_normal((N, T, H))

    def loss(p):
        h, _ = S.gru_forward(p["x"], p["h0"], {key: p[key] for key in GRU_KEYS})
        return float(np.sum(h * dout))

    _, cache = S.gru_forward(point["x"], point["h0"], {key: point[key] for key in GRU_KEYS})
    dx, dh0, grads = S.gru_backward(dout, cache)
    assert set(grads) == set(GRU_KEYS)
    analytic = {"x": dx, "h0": dh0, **grads}
    assert_gradients_match(analytic, point, loss)


# --------------------------------------------------------- hidden Jacobian
@pytest.mark.parametrize("shape", _cases("jacobian", STEP_SHAPES))
def test_hidden_jacobian_matches_finite_differences(shape):
    """Is J[n] the derivative of sample n's h_t with respect to its own h_{t-1},
    and does no sample's h_t depend on another sample's h_{t-1}?"""
    case_id, N, D, H = shape
    rng = _rng("jacobian", case_id)
    x = rng.standard_normal((N, D))
    h_prev = rng.standard_normal((N, H))
    p = _rnn_params(H, D, rng)
    h_next, _ = S.rnn_step_forward(x, h_prev, p["W_xh"], p["W_hh"], p["b_h"])
    J = S.hidden_jacobian(h_next, p["W_hh"])
    assert J.shape == (N, H, H)

    # full[n, i, m, j] = d h_next[n, i] / d h_prev[m, j]
    full = np.empty((N, H, N, H))
    for n in range(N):
        for i in range(H):
            def one_output(hp, n=n, i=i):
                return float(S.rnn_step_forward(x, hp, p["W_xh"], p["W_hh"], p["b_h"])[0][n, i])
            full[n, i] = numerical_gradient(one_output, h_prev)
    for n in range(N):
        assert rel_error(J[n], full[n, :, n, :]) < GRAD_TOL
        for m in range(N):
            if m != n:
                assert np.all(full[n, :, m, :] == 0.0)
