"""gru_forward starts every step from h0 instead of the previous step's state.

expect: q5
hint: previous step
"""


def gru_forward(x, h0, params):
    N, T, D = x.shape
    hs = []
    caches = []
    for t in range(T):
        h_t, c = gru_step_forward(x[:, t, :], h0, params)
        hs.append(h_t)
        caches.append(c)
    return np.stack(hs, axis=1), caches
