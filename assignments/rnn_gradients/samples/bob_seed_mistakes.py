"""Follows seed document 001 to the letter: tanh derivative at h_prev, and a decay rate from the end points only.

expect: q1 q3
also: q2
hint q1: belongs to h_next
hint q3: every norm
"""


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = dh_next * (1 - h_prev ** 2)        # seed 001: "the derivative of tanh at h_{t-1}"
    dx = da @ W_xh
    dh_prev = da @ W_hh
    dW_xh = da.T @ x
    dW_hh = da.T @ h_prev
    db_h = da.sum(axis=0)
    return dx, dh_prev, dW_xh, dW_hh, db_h


def decay_rate(norms):
    norms = np.asarray(norms, dtype=float)
    if norms.size < 2 or np.any(norms <= 0):
        raise ValueError("need at least two positive norms")
    return float((norms[0] / norms[-1]) ** (1.0 / (norms.size - 1)))
