"""gradient_norms_through_time averages per-sample norms instead of taking one norm over the whole batch.

expect: q3
hint: whole batch
"""


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    T = h.shape[1]
    norms = np.zeros(T)
    g = dh_T.copy()
    norms[T - 1] = np.mean(np.linalg.norm(g, axis=1))
    for t in range(T - 1, 0, -1):
        g = (g * (1 - h[:, t, :] ** 2)) @ W_hh
        norms[t - 1] = np.mean(np.linalg.norm(g, axis=1))
    return norms
