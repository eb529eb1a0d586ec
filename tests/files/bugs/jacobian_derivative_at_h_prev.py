"""gradient_norms_through_time builds step t's Jacobian from the previous state (the seed's derivative at h_{t-1}).

expect: q3
hint: taken at h_t
"""


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    T = h.shape[1]
    norms = np.zeros(T)
    g = dh_T
    norms[T - 1] = np.linalg.norm(g)
    for t in range(T - 1, 0, -1):
        J = hidden_jacobian(h[:, t - 1, :], W_hh)
        g = np.einsum("nh,nhk->nk", g, J)
        norms[t - 1] = np.linalg.norm(g)
    return norms
