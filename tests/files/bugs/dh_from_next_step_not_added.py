"""rnn_backward feeds each step only dh[:, t]: the gradient coming back from step t+1 is dropped.

expect: q2
hint: coming back from step t+1
"""


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    for t in reversed(range(T)):
        dx_t, dh_prev, dW_xh_t, dW_hh_t, db_h_t = rnn_step_backward(dh[:, t, :], cache[t])
        dx[:, t, :] = dx_t
        dW_xh += dW_xh_t
        dW_hh += dW_hh_t
        db_h += db_h_t
    return dx, dh_prev, dW_xh, dW_hh, db_h
