"""lstm_backward passes zeros as dc_next at every step: the cell path back through time is cut.

expect: q4
hint: carry
"""


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    params = cache[0][-1]
    D = cache[0][0].shape[1] - H
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx_t, dh_prev, _, g = lstm_step_backward(dh[:, t, :] + dh_prev, np.zeros((N, H)), cache[t])
        dx[:, t, :] = dx_t
        for k in grads:
            grads[k] += g[k]
    return dx, dh_prev, grads
