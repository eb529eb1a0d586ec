"""gradient_norms_through_time adds dh_T at every step, as if the loss saw every hidden state.

expect: q3
hint: last state
"""


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    N, T, H = h.shape
    dh = np.repeat(dh_T[:, None, :], T, axis=1)
    norms = np.zeros(T)
    g = np.zeros_like(dh_T)
    for t in reversed(range(T)):
        g = g + dh[:, t, :]
        norms[t] = np.linalg.norm(g)
        g = (g * (1 - h[:, t, :] ** 2)) @ W_hh
    return norms
