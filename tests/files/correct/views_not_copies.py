"""Outputs returned as views, not copies: time-major buffers transposed, gradients as transposes (Fortran order) and a negative-stride time axis from a reversed list.

expect: none
"""


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = dh_next * (1 - h_next ** 2)
    dx = (W_xh.T @ da.T).T
    dh_prev = (W_hh.T @ da.T).T
    dW_xh = (x.T @ da).T
    dW_hh = (h_prev.T @ da).T
    return dx, dh_prev, dW_xh, dW_hh, da.T.sum(axis=1)


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    hs, caches = [], []
    h = h0
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h, W_xh, W_hh, b_h)
        hs.append(h)
        caches.append(c)
    return np.array(hs).transpose(1, 0, 2), caches


def rnn_backward(dh, cache):
    T = dh.shape[1]
    dxs_reversed = []
    carry = np.zeros_like(dh[:, 0])
    dW_xh = dW_hh = db_h = 0
    for t in reversed(range(T)):
        dx_t, carry, a, b, c = rnn_step_backward(dh[:, t] + carry, cache[t])
        dxs_reversed.append(dx_t)
        dW_xh, dW_hh, db_h = dW_xh + a, dW_hh + b, db_h + c
    dx = np.array(dxs_reversed).transpose(1, 0, 2)[:, ::-1]
    return dx, carry, dW_xh, dW_hh, db_h


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((T, N, H))
    h_t, c_t = h0, np.zeros((N, H))
    caches = []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t, :], h_t, c_t, params)
        h[t] = h_t
        caches.append(cache)
    return np.swapaxes(h, 0, 1), caches


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dxs = []
    grads = None
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, carry, g = gru_step_backward(dh[:, t, :] + carry, cache[t])
        dxs.append(dx_t)
        grads = g if grads is None else {k: grads[k] + g[k] for k in g}
    grads = {k: (np.asfortranarray(v) if v.ndim == 2 else v) for k, v in grads.items()}
    return np.stack(dxs, axis=1)[:, ::-1], carry, grads
