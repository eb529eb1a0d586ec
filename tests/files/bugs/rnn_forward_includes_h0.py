"""rnn_forward returns h0 as well: h has T+1 states.

expect: q2
also: q3
hint: h0 is not included
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    hs = [h0]
    cache = []
    for t in range(T):
        h_t, c = rnn_step_forward(x[:, t, :], hs[-1], W_xh, W_hh, b_h)
        hs.append(h_t)
        cache.append(c)
    return np.stack(hs, axis=1), cache
