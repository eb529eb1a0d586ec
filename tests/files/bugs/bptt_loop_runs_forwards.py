"""BPTT loop runs forwards in time (t = 0 .. T-1) instead of from the last step back.

expect: q2
hint: last step back to the first
"""


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in range(T):
        dx_t, dh_prev, dW_xh_t, dW_hh_t, db_h_t = rnn_step_backward(dh[:, t, :] + dh_prev, cache[t])
        dx[:, t, :] = dx_t
        dW_xh += dW_xh_t
        dW_hh += dW_hh_t
        db_h += db_h_t
    return dx, dh_prev, dW_xh, dW_hh, db_h
