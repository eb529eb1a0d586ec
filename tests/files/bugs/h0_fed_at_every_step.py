"""rnn_forward starts every step from h0 instead of the previous step's state.

expect: q2
also: q3
hint: previous step
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    for t in range(T):
        h[:, t, :], c = rnn_step_forward(x[:, t, :], h0, W_xh, W_hh, b_h)
        cache.append(c)
    return h, cache
