"""Does the answer key agree with PyTorch, an independent implementation?

PyTorch autograd (float64) is the oracle: the models are written once more
with torch operations straight from SPEC.md, and also run through torch's
own nn.RNN, nn.LSTM and nn.GRU after mapping our weights into their layouts.
Every comparison takes L = sum(h * dout) and compares the forward values
and the gradients of every input and parameter. Every tensor is float64
(made from float64 numpy arrays or with an explicit dtype); torch's global
default dtype is left alone.
"""

import numpy as np
import pytest
import torch

import solutions as S
from solutions.experiments import lstm_gradient_norms

LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
GRU_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")
RTOL, ATOL = 1e-10, 1e-12

# (N, T, D, H), named by what each exercises
SHAPES = [
    pytest.param((1, 1, 2, 3), id="N1-T1-D!=H"),
    pytest.param((3, 4, 3, 3), id="T4-D==H"),
    pytest.param((2, 6, 4, 2), id="T6-D!=H"),
    pytest.param((2, 3, 2, 1), id="H1"),
]


def _rng(shape, salt):
    return np.random.default_rng([salt, *shape])


def _gate_params(keys, H, D, rng, std=0.5):
    return {key: std * rng.standard_normal((H, H + D) if key.startswith("W_") else (H,))
            for key in keys}


def _rnn_weights(H, D, rng):
    """W_xh (H, D), W_hh (H, H) and b_h (H,), moderate so nothing saturates."""
    return rng.standard_normal((H, D)), 0.5 * rng.standard_normal((H, H)), rng.standard_normal(H)


def _leaf(array):
    """A float64 leaf tensor holding a copy of array, tracking gradients."""
    return torch.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def _np(tensor):
    return tensor.detach().numpy()


def _close(actual, desired, what):
    np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=ATOL, err_msg=what, strict=True)


# ------------------------------------------------- the models in torch ops
def torch_rnn_step(x, h_prev, W_xh, W_hh, b_h):
    return torch.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)


def torch_lstm_step(x, h_prev, c_prev, p):
    hx = torch.cat([h_prev, x], dim=1)                 # [h_{t-1}, x_t], hidden part first
    f = torch.sigmoid(hx @ p["W_f"].T + p["b_f"])
    i = torch.sigmoid(hx @ p["W_i"].T + p["b_i"])
    c_tilde = torch.tanh(hx @ p["W_c"].T + p["b_c"])
    o = torch.sigmoid(hx @ p["W_o"].T + p["b_o"])
    c = f * c_prev + i * c_tilde
    return o * torch.tanh(c), c


def torch_gru_step(x, h_prev, p):
    hx = torch.cat([h_prev, x], dim=1)
    z = torch.sigmoid(hx @ p["W_z"].T + p["b_z"])
    r = torch.sigmoid(hx @ p["W_r"].T + p["b_r"])
    h_tilde = torch.tanh(torch.cat([r * h_prev, x], dim=1) @ p["W_h"].T + p["b_h"])
    return (1 - z) * h_prev + z * h_tilde


def _run_sequence(step, x, h0, *args, with_cell=False):
    """Loop a torch step over x (N, T, D); return h (N, T, H) and the list of h_t."""
    hs = []
    h_t = h0
    c_t = torch.zeros_like(h0)
    for t in range(x.shape[1]):
        if with_cell:
            h_t, c_t = step(x[:, t, :], h_t, c_t, *args)
        else:
            h_t = step(x[:, t, :], h_t, *args)
        hs.append(h_t)
    return torch.stack(hs, dim=1), hs


# --------------------------------------------------------------------- RNN
@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_step_agrees_with_torch_autograd(shape):
    N, _, D, H = shape
    rng = _rng(shape, 1)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = _rnn_weights(H, D, rng)
    dout = rng.standard_normal((N, H))

    h_next, cache = S.rnn_step_forward(x, h_prev, W_xh, W_hh, b_h)
    ours = S.rnn_step_backward(dout, cache)

    leaves = [_leaf(a) for a in (x, h_prev, W_xh, W_hh, b_h)]
    h_torch = torch_rnn_step(*leaves)
    (h_torch * torch.tensor(dout)).sum().backward()
    _close(h_next, _np(h_torch), "h_next")
    for name, got, leaf in zip(("dx", "dh_prev", "dW_xh", "dW_hh", "db_h"), ours, leaves):
        _close(got, _np(leaf.grad), name)


@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_sequence_agrees_with_torch_autograd(shape):
    N, T, D, H = shape
    rng = _rng(shape, 2)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = _rnn_weights(H, D, rng)
    dout = rng.standard_normal((N, T, H))

    h, cache = S.rnn_forward(x, h0, W_xh, W_hh, b_h)
    ours = S.rnn_backward(dout, cache)

    leaves = [_leaf(a) for a in (x, h0, W_xh, W_hh, b_h)]
    h_torch, _ = _run_sequence(torch_rnn_step, leaves[0], leaves[1], *leaves[2:])
    (h_torch * torch.tensor(dout)).sum().backward()
    _close(h, _np(h_torch), "h")
    for name, got, leaf in zip(("dx", "dh0", "dW_xh", "dW_hh", "db_h"), ours, leaves):
        _close(got, _np(leaf.grad), name)


@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_sequence_agrees_with_torch_nn_rnn(shape):
    """nn.RNN(nonlinearity='tanh') computes tanh(x W_ih^T + b_ih + h W_hh^T + b_hh):
    ours with weight_ih_l0 = W_xh, weight_hh_l0 = W_hh, bias_ih_l0 = b_h and
    bias_hh_l0 = 0."""
    N, T, D, H = shape
    rng = _rng(shape, 3)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = _rnn_weights(H, D, rng)
    dout = rng.standard_normal((N, T, H))

    h, cache = S.rnn_forward(x, h0, W_xh, W_hh, b_h)
    dx, dh0, dW_xh, dW_hh, db_h = S.rnn_backward(dout, cache)

    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(W_xh))
        rnn.weight_hh_l0.copy_(torch.tensor(W_hh))
        rnn.bias_ih_l0.copy_(torch.tensor(b_h))
        rnn.bias_hh_l0.zero_()
    x_t, h0_t = _leaf(x), _leaf(h0[None])                # torch wants h0 as (layers, N, H)
    out, h_last = rnn(x_t, h0_t)
    (out * torch.tensor(dout)).sum().backward()
    _close(h, _np(out), "h")
    _close(h[:, -1, :], _np(h_last[0]), "h_T")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh0, _np(h0_t.grad[0]), "dh0")
    _close(dW_xh, _np(rnn.weight_ih_l0.grad), "dW_xh")
    _close(dW_hh, _np(rnn.weight_hh_l0.grad), "dW_hh")
    _close(db_h, _np(rnn.bias_ih_l0.grad), "db_h")
    # b_h enters once per step, as does torch's other bias: same gradient.
    _close(db_h, _np(rnn.bias_hh_l0.grad), "db_hh")


@pytest.mark.parametrize("shape", SHAPES)
def test_hidden_jacobian_agrees_with_torch_jacobian(shape):
    N, _, D, H = shape
    rng = _rng(shape, 4)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = rng.standard_normal((H, D)), rng.standard_normal((H, H)), rng.standard_normal(H)
    h_next, _ = S.rnn_step_forward(x, h_prev, W_xh, W_hh, b_h)
    J = S.hidden_jacobian(h_next, W_hh)
    args = [torch.tensor(a) for a in (x, W_xh, W_hh, b_h)]
    for n in range(N):
        def one_sample(h, n=n):
            return torch_rnn_step(args[0][n:n + 1], h[None], *args[1:])[0]
        J_torch = torch.autograd.functional.jacobian(one_sample, torch.tensor(h_prev[n]))
        _close(J[n], _np(J_torch), f"J[{n}]")


def _norms_of_hidden_gradients(hs, dh_T):
    """||dL/dh_t|| for L = sum(h_T * dh_T), from torch autograd over the h_t list."""
    loss = (hs[-1] * torch.tensor(dh_T)).sum()
    grads = torch.autograd.grad(loss, hs)
    return np.array([float(torch.linalg.norm(g)) for g in grads])


def test_gradient_norms_through_time_agree_with_torch_autograd():
    N, T, D, H = 3, 12, 2, 4
    rng = np.random.default_rng(5)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = rng.standard_normal((H, D)), rng.standard_normal((H, H)), rng.standard_normal(H)
    dh_T = rng.standard_normal((N, H))
    ours = S.gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T)
    _, hs = _run_sequence(torch_rnn_step, torch.tensor(x), torch.tensor(h0),
                          *(torch.tensor(a, requires_grad=True) for a in (W_xh, W_hh, b_h)))
    _close(ours, _norms_of_hidden_gradients(hs, dh_T), "norms")


def test_experiment_lstm_gradient_norms_agree_with_torch_autograd():
    """The experiment chains lstm_step_backward carrying dh and dc; torch
    differentiates the whole unrolled LSTM."""
    N, T, D, H = 2, 10, 3, 4
    rng = np.random.default_rng(6)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = _gate_params(LSTM_KEYS, H, D, rng)
    dh_T = rng.standard_normal((N, H))
    ours = lstm_gradient_norms(x, h0, params, dh_T)
    p = {k: torch.tensor(v) for k, v in params.items()}
    _, hs = _run_sequence(torch_lstm_step, torch.tensor(x), torch.tensor(h0, requires_grad=True),
                          p, with_cell=True)
    _close(ours, _norms_of_hidden_gradients(hs, dh_T), "norms")


# -------------------------------------------------------------------- LSTM
@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_step_agrees_with_torch_autograd(shape):
    N, _, D, H = shape
    rng = _rng(shape, 7)
    x, h_prev, c_prev = (rng.standard_normal((N, D)), rng.standard_normal((N, H)),
                         rng.standard_normal((N, H)))
    params = _gate_params(LSTM_KEYS, H, D, rng)
    dh, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))

    h_next, c_next, cache = S.lstm_step_forward(x, h_prev, c_prev, params)
    dx, dh_prev, dc_prev, grads = S.lstm_step_backward(dh, dc, cache)

    x_t, h_t, c_t = _leaf(x), _leaf(h_prev), _leaf(c_prev)
    p = {k: _leaf(v) for k, v in params.items()}
    h_torch, c_torch = torch_lstm_step(x_t, h_t, c_t, p)
    ((h_torch * torch.tensor(dh)).sum() + (c_torch * torch.tensor(dc)).sum()).backward()
    _close(h_next, _np(h_torch), "h_next")
    _close(c_next, _np(c_torch), "c_next")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh_prev, _np(h_t.grad), "dh_prev")
    _close(dc_prev, _np(c_t.grad), "dc_prev")
    for key in LSTM_KEYS:
        _close(grads[key], _np(p[key].grad), key)


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_sequence_agrees_with_torch_autograd(shape):
    N, T, D, H = shape
    rng = _rng(shape, 8)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = _gate_params(LSTM_KEYS, H, D, rng)
    dout = rng.standard_normal((N, T, H))

    h, cache = S.lstm_forward(x, h0, params)
    dx, dh0, grads = S.lstm_backward(dout, cache)

    x_t, h0_t = _leaf(x), _leaf(h0)
    p = {k: _leaf(v) for k, v in params.items()}
    h_torch, _ = _run_sequence(torch_lstm_step, x_t, h0_t, p, with_cell=True)
    (h_torch * torch.tensor(dout)).sum().backward()
    _close(h, _np(h_torch), "h")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh0, _np(h0_t.grad), "dh0")
    for key in LSTM_KEYS:
        _close(grads[key], _np(p[key].grad), key)


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_sequence_agrees_with_torch_nn_lstm(shape):
    """Our LSTM is torch.nn.LSTM once the weights are laid out its way.

    nn.LSTM keeps one (4H, D) input matrix and one (4H, H) hidden matrix,
    the gates stacked in the order i, f, g, o (g is our candidate c~), and
    two biases that are simply added. Our W_* act on [h_{t-1}, x_t], hidden
    columns first, so:

        weight_ih_l0 = concat rows [W_i[:, H:], W_f[:, H:], W_c[:, H:], W_o[:, H:]]
        weight_hh_l0 = concat rows [W_i[:, :H], W_f[:, :H], W_c[:, :H], W_o[:, :H]]
        bias_ih_l0   = concat [b_i, b_f, b_c, b_o],     bias_hh_l0 = 0

    and c_0 = 0. The gradients map back the same way.
    """
    N, T, D, H = shape
    rng = _rng(shape, 9)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = _gate_params(LSTM_KEYS, H, D, rng)
    dout = rng.standard_normal((N, T, H))

    h, cache = S.lstm_forward(x, h0, params)
    dx, dh0, grads = S.lstm_backward(dout, cache)

    torch_order = ("i", "f", "c", "o")
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for target, part in ((lstm.weight_ih_l0, np.s_[:, H:]), (lstm.weight_hh_l0, np.s_[:, :H])):
            target.copy_(torch.tensor(np.concatenate([params["W_" + g][part] for g in torch_order])))
        lstm.bias_ih_l0.copy_(torch.tensor(np.concatenate([params["b_" + g] for g in torch_order])))
        lstm.bias_hh_l0.zero_()
    x_t, h0_t = _leaf(x), _leaf(h0[None])
    out, _ = lstm(x_t, (h0_t, torch.zeros(1, N, H, dtype=torch.float64)))
    (out * torch.tensor(dout)).sum().backward()

    _close(h, _np(out), "h")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh0, _np(h0_t.grad[0]), "dh0")
    g_ih = _np(lstm.weight_ih_l0.grad)
    g_hh = _np(lstm.weight_hh_l0.grad)
    g_b = _np(lstm.bias_ih_l0.grad)
    for k, gate in enumerate(torch_order):
        rows = slice(k * H, (k + 1) * H)
        _close(grads["W_" + gate], np.concatenate([g_hh[rows], g_ih[rows]], axis=1), "W_" + gate)
        _close(grads["b_" + gate], g_b[rows], "b_" + gate)


# --------------------------------------------------------------------- GRU
@pytest.mark.parametrize("shape", SHAPES)
def test_gru_step_agrees_with_torch_autograd(shape):
    N, _, D, H = shape
    rng = _rng(shape, 10)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    params = _gate_params(GRU_KEYS, H, D, rng)
    dout = rng.standard_normal((N, H))

    h_next, cache = S.gru_step_forward(x, h_prev, params)
    dx, dh_prev, grads = S.gru_step_backward(dout, cache)

    x_t, h_t = _leaf(x), _leaf(h_prev)
    p = {k: _leaf(v) for k, v in params.items()}
    h_torch = torch_gru_step(x_t, h_t, p)
    (h_torch * torch.tensor(dout)).sum().backward()
    _close(h_next, _np(h_torch), "h_next")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh_prev, _np(h_t.grad), "dh_prev")
    for key in GRU_KEYS:
        _close(grads[key], _np(p[key].grad), key)


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_sequence_agrees_with_torch_autograd(shape):
    N, T, D, H = shape
    rng = _rng(shape, 11)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = _gate_params(GRU_KEYS, H, D, rng)
    dout = rng.standard_normal((N, T, H))

    h, cache = S.gru_forward(x, h0, params)
    dx, dh0, grads = S.gru_backward(dout, cache)

    x_t, h0_t = _leaf(x), _leaf(h0)
    p = {k: _leaf(v) for k, v in params.items()}
    h_torch, _ = _run_sequence(torch_gru_step, x_t, h0_t, p)
    (h_torch * torch.tensor(dout)).sum().backward()
    _close(h, _np(h_torch), "h")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh0, _np(h0_t.grad), "dh0")
    for key in GRU_KEYS:
        _close(grads[key], _np(p[key].grad), key)


def _torch_gru_from_ours(params, D, H):
    """torch.nn.GRU holding our weights, as far as its convention allows.

    nn.GRU computes, with gates stacked in the order r, z, n:
        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h
    Two differences from ours (the seeds'):
    - its z is our 1 - z: since 1 - sigmoid(a) = sigmoid(-a), its update
      gate gets our W_z and b_z negated;
    - it applies r after the hidden matrix product, r * (W_hn h), where we
      compute W_h[:, :H] (r * h). The two agree only when W_h[:, :H] is
      diagonal (elementwise r commutes with a diagonal matrix).
    """
    gru = torch.nn.GRU(D, H, batch_first=True, dtype=torch.float64)
    x_cols, h_cols = slice(H, None), slice(None, H)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.tensor(np.concatenate(
            [params["W_r"][:, x_cols], -params["W_z"][:, x_cols], params["W_h"][:, x_cols]])))
        gru.weight_hh_l0.copy_(torch.tensor(np.concatenate(
            [params["W_r"][:, h_cols], -params["W_z"][:, h_cols], params["W_h"][:, h_cols]])))
        gru.bias_ih_l0.copy_(torch.tensor(np.concatenate(
            [params["b_r"], -params["b_z"], params["b_h"]])))
        gru.bias_hh_l0.zero_()
    return gru


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_agrees_with_torch_nn_gru_when_the_candidate_hidden_weights_are_diagonal(shape):
    """With W_h[:, :H] diagonal, nn.GRU with the mapping of _torch_gru_from_ours
    computes exactly our GRU. Gradients agree for everything except the
    off-diagonal entries of W_h[:, :H], where the two formulas have
    different derivatives (r_i h_j for torch, r_j h_j for us)."""
    N, T, D, H = shape
    rng = _rng(shape, 12)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = _gate_params(GRU_KEYS, H, D, rng)
    params["W_h"][:, :H] = np.diag(np.diag(params["W_h"][:, :H]))
    dout = rng.standard_normal((N, T, H))

    h, cache = S.gru_forward(x, h0, params)
    dx, dh0, grads = S.gru_backward(dout, cache)

    gru = _torch_gru_from_ours(params, D, H)
    x_t, h0_t = _leaf(x), _leaf(h0[None])
    out, _ = gru(x_t, h0_t)
    (out * torch.tensor(dout)).sum().backward()
    _close(h, _np(out), "h")
    _close(dx, _np(x_t.grad), "dx")
    _close(dh0, _np(h0_t.grad[0]), "dh0")

    g_ih, g_hh, g_b = (_np(t.grad) for t in (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0))
    r_rows, z_rows, n_rows = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    _close(grads["W_r"], np.concatenate([g_hh[r_rows], g_ih[r_rows]], axis=1), "W_r")
    _close(grads["b_r"], g_b[r_rows], "b_r")
    _close(grads["W_z"], -np.concatenate([g_hh[z_rows], g_ih[z_rows]], axis=1), "W_z")
    _close(grads["b_z"], -g_b[z_rows], "b_z")
    _close(grads["W_h"][:, H:], g_ih[n_rows], "W_h (input columns)")
    _close(np.diag(grads["W_h"][:, :H]), np.diag(g_hh[n_rows]), "diag of W_h (hidden columns)")
    _close(grads["b_h"], g_b[n_rows], "b_h")


def test_torch_nn_gru_is_a_different_gru_in_general():
    """With a full W_h[:, :H], no relabelling makes nn.GRU compute ours:
    r * (W h) is not W (r * h). Students comparing with PyTorch must expect
    a mismatch here, not a bug."""
    N, T, D, H = 2, 4, 3, 3
    rng = np.random.default_rng(13)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = _gate_params(GRU_KEYS, H, D, rng, std=1.0)
    h, _ = S.gru_forward(x, h0, params)
    with torch.no_grad():
        out, _ = _torch_gru_from_ours(params, D, H)(torch.tensor(x), torch.tensor(h0[None]))
    assert np.max(np.abs(h - out.numpy())) > 1e-3


# ---------------------------------------------------------------- clipping
def _torch_clip(grads, clip):
    """Run a torch clipping function on parameters whose .grad are our arrays."""
    tensors = {k: torch.zeros(np.shape(g), dtype=torch.float64, requires_grad=True)
               for k, g in grads.items()}
    for k, t in tensors.items():
        t.grad = torch.tensor(np.array(grads[k], dtype=np.float64))
    result = clip(list(tensors.values()))
    return {k: t.grad.numpy() for k, t in tensors.items()}, result


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0], ids=["clips-hard", "clips", "no-clip"])
def test_clip_grad_norm_agrees_with_torch(max_norm):
    """torch.nn.utils.clip_grad_norm_ scales by max_norm / (total_norm + 1e-6),
    clamped at 1, where we scale by max_norm / total_norm. When it clips,
    torch's result is ours times total_norm / (total_norm + 1e-6): a relative
    difference of about 1e-6 / total_norm, so the plain comparison allows
    2e-6 / total_norm, and with that factor put back they agree to rounding.
    When nothing is clipped, both return the gradients unchanged."""
    rng = np.random.default_rng(14)
    grads = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(4), "v": rng.standard_normal(2)}
    clipped, total_norm = S.clip_grad_norm(grads, max_norm)
    torch_clipped, torch_total = _torch_clip(
        grads, lambda ps: torch.nn.utils.clip_grad_norm_(ps, max_norm))

    assert total_norm == pytest.approx(float(torch_total), rel=1e-14)
    assert (total_norm > max_norm) == (max_norm != 100.0)        # the cases mean what they say
    for k in grads:
        np.testing.assert_allclose(clipped[k], torch_clipped[k], rtol=2e-6 / total_norm, atol=0)
        if total_norm > max_norm:
            factor = total_norm / (total_norm + 1e-6)
            np.testing.assert_allclose(clipped[k] * factor, torch_clipped[k], rtol=1e-13)
        else:
            np.testing.assert_array_equal(clipped[k], torch_clipped[k])


@pytest.mark.parametrize("clip_value", [0.1, 1.0, 10.0], ids=["0.1", "1", "10"])
def test_clip_grad_value_agrees_with_torch(clip_value):
    rng = np.random.default_rng(15)
    grads = {"W": 2 * rng.standard_normal((4, 3)), "b": 2 * rng.standard_normal(4)}
    clipped = S.clip_grad_value(grads, clip_value)
    torch_clipped, _ = _torch_clip(
        grads, lambda ps: torch.nn.utils.clip_grad_value_(ps, clip_value))
    for k in grads:
        np.testing.assert_array_equal(clipped[k], torch_clipped[k])
