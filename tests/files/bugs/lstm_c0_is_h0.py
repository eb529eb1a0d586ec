"""lstm_forward starts the cell state from h0 instead of zeros.

expect: q4
hint: c_0 = 0
"""


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    h_t, c_t = h0, h0
    cache = []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t, :], h_t, c_t, params)
        h[:, t, :] = h_t
        cache.append(step)
    return h, cache
