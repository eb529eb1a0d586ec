"""RNN step and sequence written with np.einsum; the cache is a dict.

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h_next = np.tanh(np.einsum("nd,hd->nh", x, W_xh) + np.einsum("nk,hk->nh", h_prev, W_hh) + b_h)
    return h_next, {"x": x, "h_prev": h_prev, "W_xh": W_xh, "W_hh": W_hh, "h": h_next}


def rnn_step_backward(dh_next, cache):
    da = dh_next * (1 - cache["h"] ** 2)
    dx = np.einsum("nh,hd->nd", da, cache["W_xh"])
    dh_prev = np.einsum("nh,hk->nk", da, cache["W_hh"])
    dW_xh = np.einsum("nh,nd->hd", da, cache["x"])
    dW_hh = np.einsum("nh,nk->hk", da, cache["h_prev"])
    db_h = np.einsum("nh->h", da)
    return dx, dh_prev, dW_xh, dW_hh, db_h


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0]["x"].shape[1]
    dx = np.zeros((N, T, D))
    dW_xh, dW_hh, db_h = 0.0, 0.0, 0.0
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t], carry, a, b, c = rnn_step_backward(dh[:, t] + carry, cache[t])
        dW_xh = dW_xh + a
        dW_hh = dW_hh + b
        db_h = db_h + c
    return dx, carry, dW_xh, dW_hh, db_h
