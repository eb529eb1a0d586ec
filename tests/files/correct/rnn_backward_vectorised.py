"""rnn_backward without rnn_step_backward: one loop for the recurrence, weight gradients summed over time afterwards with einsum; rnn_forward keeps one array of states.

expect: none
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.zeros((N, T + 1, H))
    hs[:, 0] = h0
    xw = x @ W_xh.T + b_h                    # all input terms at once
    for t in range(T):
        hs[:, t + 1] = np.tanh(xw[:, t] + hs[:, t] @ W_hh.T)
    return hs[:, 1:].copy(), (x, hs, W_xh, W_hh)


def rnn_backward(dh, cache):
    x, hs, W_xh, W_hh = cache
    N, T, H = dh.shape
    da = np.zeros((N, T, H))
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        da[:, t] = (dh[:, t] + carry) * (1 - hs[:, t + 1] ** 2)
        carry = da[:, t] @ W_hh
    dx = da @ W_xh
    dW_xh = np.einsum("nth,ntd->hd", da, x)
    dW_hh = np.einsum("nth,ntk->hk", da, hs[:, :-1])
    db_h = da.sum(axis=(1, 0))
    return dx, carry, dW_xh, dW_hh, db_h
