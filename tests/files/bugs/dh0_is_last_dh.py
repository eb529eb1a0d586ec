"""rnn_backward returns as dh0 the gradient at h_1 (the input of the first step's backward) instead of its output.

expect: q2
hint: dh0
"""


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dh_t = dh[:, t, :] + dh_prev
        dx[:, t, :], dh_prev, a, b, c = rnn_step_backward(dh_t, cache[t])
        dW_xh += a
        dW_hh += b
        db_h += c
    return dx, dh_t, dW_xh, dW_hh, db_h
