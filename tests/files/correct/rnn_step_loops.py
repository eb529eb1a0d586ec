"""RNN step forward and backward with explicit Python loops over the batch and the units.

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    N, D = x.shape
    H = h_prev.shape[1]
    h_next = np.zeros((N, H))
    for n in range(N):
        for j in range(H):
            a = b_h[j]
            for d in range(D):
                a += W_xh[j, d] * x[n, d]
            for k in range(H):
                a += W_hh[j, k] * h_prev[n, k]
            h_next[n, j] = np.tanh(a)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    N, D = x.shape
    H = h_prev.shape[1]
    dx = np.zeros((N, D))
    dh_prev = np.zeros((N, H))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    for n in range(N):
        da = dh_next[n] * (1.0 - h_next[n] ** 2)
        dx[n] = W_xh.T @ da
        dh_prev[n] = W_hh.T @ da
        dW_xh += np.outer(da, x[n])
        dW_hh += np.outer(da, h_prev[n])
        db_h += da
    return dx, dh_prev, dW_xh, dW_hh, db_h
