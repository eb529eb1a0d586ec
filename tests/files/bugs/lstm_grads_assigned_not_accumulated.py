"""lstm_backward keeps only the first step's parameter gradients (assigned, not accumulated).

expect: q4
hint: accumulate
"""


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1] - H
    dx = np.zeros((N, T, D))
    dh_prev = np.zeros((N, H))
    dc_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dh_prev, dc_prev, grads = lstm_step_backward(dh[:, t, :] + dh_prev, dc_prev, cache[t])
    return dx, dh_prev, grads
