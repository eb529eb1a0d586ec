"""Part 2: how the gradient changes as it flows back through time.

Going back one step multiplies dL/dh_t by the Jacobian dh_t/dh_{t-1}:

    dL/dh_{t-1} = dL/dh_t @ J_t,    J_t = diag(1 - h_t**2) @ W_hh

Over k steps the gradient meets k such factors, so its norm behaves roughly
like rate**k: vanishing for a rate below 1, exploding above 1.
"""

import numpy as np

from .rnn import rnn_forward


def hidden_jacobian(h_next, W_hh):
    """Jacobian of one tanh RNN step with respect to the previous state.

    Seed document 001 writes the tanh derivative at h_{t-1}; it belongs at
    the step's own output h_t = h_next, because h_t = tanh(a_t).

    Inputs:
    - h_next: hidden states h_t of one step, shape (N, H)
    - W_hh: hidden-to-hidden weights, shape (H, H)

    Returns:
    - J: shape (N, H, H), J[n] = dh_t/dh_{t-1} = diag(1 - h_next[n]**2) @ W_hh,
      that is J[n, i, j] = (1 - h_next[n, i]**2) * W_hh[i, j]
    """
    tanh_derivative = 1.0 - h_next ** 2              # (N, H)
    return tanh_derivative[:, :, None] * W_hh[None, :, :]


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    """Norm of dL/dh_t at every step when the loss sees only the last state.

    Inputs:
    - x: shape (N, T, D); h0: shape (N, H)
    - W_xh: shape (H, D); W_hh: shape (H, H); b_h: shape (H,)
    - dh_T: dL/dh_T, shape (N, H)

    Returns:
    - norms: shape (T,), norms[t] is the Frobenius norm over the batch of
      dL/dh_{t+1}; so norms[T-1] = ||dh_T|| and norms[0] = ||dL/dh_1||
    """
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)      # h[:, t] is h_{t+1}
    T = h.shape[1]
    norms = np.empty(T)
    dh_t = dh_T                                      # dL/dh_T, shape (N, H)
    norms[T - 1] = np.linalg.norm(dh_t)
    for t in range(T - 1, 0, -1):
        # One step back: dL/dh_t = dL/dh_{t+1} @ J_{t+1}, per sample.
        J = hidden_jacobian(h[:, t, :], W_hh)        # (N, H, H)
        dh_t = np.matmul(dh_t[:, None, :], J)[:, 0, :]
        norms[t - 1] = np.linalg.norm(dh_t)
    return norms


def decay_rate(norms):
    """Per-step geometric rate at which gradient norms change going back.

    With k = T-1-t the number of steps back from the end, fit
    log(norms[t]) = log(c) + k * log(rate) by least squares and return rate:
    below 1 the gradient vanishes, above 1 it explodes. Exactly geometric
    norms c * a**k give exactly a.

    Inputs:
    - norms: shape (T,), positive, T >= 2

    Returns:
    - rate: a positive float

    Raises ValueError for fewer than two norms or a norm that is not a
    positive finite number.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or norms.size < 2:
        raise ValueError("decay_rate needs a 1-D sequence of at least two norms")
    if not np.all(np.isfinite(norms)) or np.any(norms <= 0):
        raise ValueError("decay_rate needs norms that are positive and finite")
    T = norms.size
    k = (T - 1 - np.arange(T)).astype(np.float64)   # steps back from the end
    y = np.log(norms)
    # Least-squares slope of y against k.
    k_centred = k - k.mean()
    slope = np.sum(k_centred * (y - y.mean())) / np.sum(k_centred ** 2)
    return float(np.exp(slope))
