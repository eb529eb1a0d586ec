"""rnn_backward returns zeros for dh0 ("h0 is not a parameter").

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
        dx[:, t, :], dh_prev, a, b, c = rnn_step_backward(dh[:, t, :] + dh_prev, cache[t])
        dW_xh += a
        dW_hh += b
        db_h += c
    dh0 = np.zeros((N, H))
    return dx, dh0, dW_xh, dW_hh, db_h
