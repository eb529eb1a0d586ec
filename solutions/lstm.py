"""Part 3: the LSTM, one step and a whole sequence, forward and backward.

Every gate reads the concatenation hx = [h_{t-1}, x_t] (hidden part first, as
in the seeds), so each W_* has shape (H, H + D):

    f = sigmoid(hx @ W_f.T + b_f)          forget gate
    i = sigmoid(hx @ W_i.T + b_i)          input gate
    c_tilde = tanh(hx @ W_c.T + b_c)       candidate cell
    o = sigmoid(hx @ W_o.T + b_o)          output gate
    c_t = f * c_{t-1} + i * c_tilde
    h_t = o * tanh(c_t)

The cell path c_{t-1} -> c_t is multiplied only by f: with f near 1 the
gradient flows back through time almost unchanged.
"""

import numpy as np

from .activations import sigmoid

GATES = ("f", "i", "c", "o")
PARAM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")


def lstm_step_forward(x, h_prev, c_prev, params):
    """One time step of an LSTM.

    Inputs:
    - x: input, shape (N, D)
    - h_prev: previous hidden state, shape (N, H)
    - c_prev: previous cell state, shape (N, H)
    - params: dict with W_f, W_i, W_c, W_o of shape (H, H + D) and
      b_f, b_i, b_c, b_o of shape (H,)

    Returns a tuple of:
    - h_next: shape (N, H)
    - c_next: shape (N, H)
    - cache: values needed by lstm_step_backward
    """
    hx = np.concatenate([h_prev, x], axis=1)                     # (N, H + D)
    f = sigmoid(hx @ params["W_f"].T + params["b_f"])            # (N, H)
    i = sigmoid(hx @ params["W_i"].T + params["b_i"])
    c_tilde = np.tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c_next = f * c_prev + i * c_tilde
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    cache = (hx, c_prev, f, i, c_tilde, o, tanh_c, params)
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    """Backward pass of one LSTM step.

    Inputs:
    - dh_next: gradient with respect to h_next, shape (N, H)
    - dc_next: gradient with respect to c_next from the later steps, (N, H)
    - cache: from lstm_step_forward

    Returns a tuple of:
    - dx: shape (N, D)
    - dh_prev: shape (N, H)
    - dc_prev: shape (N, H)
    - grads: dict with the keys of params, each with that parameter's shape
    """
    hx, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    H = c_prev.shape[1]
    # h = o * tanh(c): o gets tanh(c); c gets o * tanh'(c) on top of the
    # gradient that reaches c_t directly from step t+1.
    do = dh_next * tanh_c
    dc = dc_next + dh_next * o * (1.0 - tanh_c ** 2)
    # c = f * c_prev + i * c_tilde: each product sends the other factor back.
    df = dc * c_prev
    dc_prev = dc * f
    di = dc * c_tilde
    dc_tilde = dc * i
    # Through each gate's nonlinearity to its pre-activation:
    # sigmoid'(a) = s * (1 - s), tanh'(a) = 1 - tanh(a)**2.
    da = {
        "f": df * f * (1.0 - f),
        "i": di * i * (1.0 - i),
        "c": dc_tilde * (1.0 - c_tilde ** 2),
        "o": do * o * (1.0 - o),
    }
    # Each pre-activation is hx @ W.T + b: the usual affine backward, and
    # hx collects the gradient of all four gates.
    grads = {}
    dhx = np.zeros_like(hx)                                       # (N, H + D)
    for gate in GATES:
        grads["W_" + gate] = da[gate].T @ hx                      # (H, H + D)
        grads["b_" + gate] = da[gate].sum(axis=0)                 # (H,)
        dhx += da[gate] @ params["W_" + gate]
    # hx = [h_prev, x]: split the gradient back into its two parts.
    dh_prev = dhx[:, :H]
    dx = dhx[:, H:]
    return dx, dh_prev, dc_prev, grads


def lstm_forward(x, h0, params):
    """Run an LSTM over a whole sequence, starting from c_0 = 0.

    Inputs:
    - x: shape (N, T, D)
    - h0: initial hidden state, shape (N, H)
    - params: as in lstm_step_forward

    Returns a tuple of:
    - h: hidden states h_1 .. h_T, shape (N, T, H)
    - cache: values needed by lstm_backward
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H))
    h_t, c_t = h0, np.zeros((N, H))
    step_caches = []
    for t in range(T):
        h_t, c_t, step_cache = lstm_step_forward(x[:, t, :], h_t, c_t, params)
        h[:, t, :] = h_t
        step_caches.append(step_cache)
    return h, step_caches


def lstm_backward(dh, cache):
    """Backpropagation through time for an LSTM.

    Inputs:
    - dh: upstream gradient at every hidden state h_1 .. h_T, shape (N, T, H)
    - cache: from lstm_forward

    Returns a tuple of:
    - dx: shape (N, T, D)
    - dh0: shape (N, H)
    - grads: dict with the keys of params, each with that parameter's shape
    """
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1] - H
    params = step_caches[0][-1]
    dx = np.empty((N, T, D))
    grads = {key: np.zeros_like(params[key]) for key in PARAM_KEYS}
    dh_from_later = np.zeros((N, H))
    dc_from_later = np.zeros((N, H))   # c_T is not used after the last step
    for t in reversed(range(T)):
        dh_t = dh[:, t, :] + dh_from_later
        dx_t, dh_from_later, dc_from_later, step_grads = lstm_step_backward(
            dh_t, dc_from_later, step_caches[t])
        dx[:, t, :] = dx_t
        for key in PARAM_KEYS:          # shared weights: accumulate over time
            grads[key] += step_grads[key]
    return dx, dh_from_later, grads
