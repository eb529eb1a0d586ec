"""rnn_step_backward written element by element (loops over samples, units and inputs), with the vectorised forward of the answer key.

expect: none
"""


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
        for j in range(H):
            da = dh_next[n, j] * (1 - h_next[n, j] ** 2)
            db_h[j] += da
            for d in range(D):
                dW_xh[j, d] += da * x[n, d]
                dx[n, d] += da * W_xh[j, d]
            for k in range(H):
                dW_hh[j, k] += da * h_prev[n, k]
                dh_prev[n, k] += da * W_hh[j, k]
    return dx, dh_prev, dW_xh, dW_hh, db_h
