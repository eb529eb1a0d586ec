"""rnn_backward assigns each step's weight gradients instead of accumulating them over time.

expect: q2
hint: accumulate
"""


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dh_prev, dW_xh, dW_hh, db_h = rnn_step_backward(dh[:, t, :] + dh_prev, cache[t])
    return dx, dh_prev, dW_xh, dW_hh, db_h
