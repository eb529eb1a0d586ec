"""gradient_norms_through_time stores the norms in the order it computes them: norms[0] = ||dh_T||.

expect: q3
hint: norms[T-1]
"""


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    T = h.shape[1]
    norms = []
    g = dh_T
    norms.append(np.linalg.norm(g))
    for t in range(T - 1, 0, -1):
        g = (g * (1 - h[:, t, :] ** 2)) @ W_hh
        norms.append(np.linalg.norm(g))
    return np.array(norms)
