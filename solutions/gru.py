"""Part 4: the GRU, one step and a whole sequence, forward and backward.

The seeds' convention, with hx = [h_{t-1}, x_t] and each W_* of shape (H, H + D):

    z = sigmoid(hx @ W_z.T + b_z)                    update gate
    r = sigmoid(hx @ W_r.T + b_r)                    reset gate
    h_tilde = tanh([r * h_{t-1}, x_t] @ W_h.T + b_h) candidate state
    h_t = (1 - z) * h_{t-1} + z * h_tilde

With z near 0 the step copies h_{t-1}, and the gradient passes unchanged.
PyTorch's nn.GRU uses the other convention, h_t = (1 - z) * h_tilde +
z * h_{t-1}, and applies r after the hidden matrix product
(r * (W_hn h + b_hn)): its z is our 1 - z, and its candidate differs.
"""

import numpy as np

from .activations import sigmoid

PARAM_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")


def gru_step_forward(x, h_prev, params):
    """One time step of a GRU.

    Inputs:
    - x: input, shape (N, D)
    - h_prev: previous hidden state, shape (N, H)
    - params: dict with W_z, W_r, W_h of shape (H, H + D) and
      b_z, b_r, b_h of shape (H,)

    Returns a tuple of:
    - h_next: shape (N, H)
    - cache: values needed by gru_step_backward
    """
    hx = np.concatenate([h_prev, x], axis=1)                      # (N, H + D)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])             # (N, H)
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)                 # (N, H + D)
    h_tilde = np.tanh(rhx @ params["W_h"].T + params["b_h"])
    h_next = (1.0 - z) * h_prev + z * h_tilde
    cache = (hx, rhx, z, r, h_tilde, params)
    return h_next, cache


def gru_step_backward(dh_next, cache):
    """Backward pass of one GRU step.

    Inputs:
    - dh_next: gradient with respect to h_next, shape (N, H)
    - cache: from gru_step_forward

    Returns a tuple of:
    - dx: shape (N, D)
    - dh_prev: shape (N, H)
    - grads: dict with the keys of params, each with that parameter's shape
    """
    hx, rhx, z, r, h_tilde, params = cache
    H = z.shape[1]
    h_prev = hx[:, :H]
    # h = (1 - z) * h_prev + z * h_tilde: the direct path to h_prev, and
    # the gradients of z and h_tilde.
    dh_prev = dh_next * (1.0 - z)
    dz = dh_next * (h_tilde - h_prev)
    dh_tilde = dh_next * z
    # h_tilde = tanh(rhx @ W_h.T + b_h).
    da_h = dh_tilde * (1.0 - h_tilde ** 2)                        # (N, H)
    grads = {"W_h": da_h.T @ rhx, "b_h": da_h.sum(axis=0)}
    drhx = da_h @ params["W_h"]                                   # (N, H + D)
    # rhx = [r * h_prev, x]: the hidden part reaches both r and h_prev.
    dr = drhx[:, :H] * h_prev
    dh_prev += drhx[:, :H] * r
    dx = drhx[:, H:].copy()
    # z and r are sigmoids of affine maps of hx = [h_prev, x].
    da_z = dz * z * (1.0 - z)
    da_r = dr * r * (1.0 - r)
    grads["W_z"] = da_z.T @ hx
    grads["b_z"] = da_z.sum(axis=0)
    grads["W_r"] = da_r.T @ hx
    grads["b_r"] = da_r.sum(axis=0)
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]             # (N, H + D)
    dh_prev += dhx[:, :H]
    dx += dhx[:, H:]
    return dx, dh_prev, grads


def gru_forward(x, h0, params):
    """Run a GRU over a whole sequence.

    Inputs:
    - x: shape (N, T, D)
    - h0: initial hidden state, shape (N, H)
    - params: as in gru_step_forward

    Returns a tuple of:
    - h: hidden states h_1 .. h_T, shape (N, T, H)
    - cache: values needed by gru_backward
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H))
    h_t = h0
    step_caches = []
    for t in range(T):
        h_t, step_cache = gru_step_forward(x[:, t, :], h_t, params)
        h[:, t, :] = h_t
        step_caches.append(step_cache)
    return h, step_caches


def gru_backward(dh, cache):
    """Backpropagation through time for a GRU.

    Inputs:
    - dh: upstream gradient at every hidden state h_1 .. h_T, shape (N, T, H)
    - cache: from gru_forward

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
    for t in reversed(range(T)):
        dh_t = dh[:, t, :] + dh_from_later
        dx_t, dh_from_later, step_grads = gru_step_backward(dh_t, step_caches[t])
        dx[:, t, :] = dx_t
        for key in PARAM_KEYS:          # shared weights: accumulate over time
            grads[key] += step_grads[key]
    return dx, dh_from_later, grads
