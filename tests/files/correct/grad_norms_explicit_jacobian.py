"""gradient_norms_through_time that runs the student's rnn_forward, then an explicit reverse loop multiplying by each step's Jacobian (einsum 'nh,nhk->nk'); hidden_jacobian via np.einsum('nh,hk->nhk').

expect: none
"""


def hidden_jacobian(h_next, W_hh):
    return np.einsum("nh,hk->nhk", 1.0 - h_next ** 2, W_hh)


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    T = x.shape[1]
    norms = [0.0] * T
    grad = dh_T
    norms[T - 1] = np.sqrt(np.sum(grad ** 2))
    for t in reversed(range(1, T)):
        J = hidden_jacobian(h[:, t], W_hh)          # dh_{t+1} / dh_t
        grad = np.einsum("nh,nhk->nk", grad, J)
        norms[t - 1] = np.sqrt(np.sum(grad ** 2))
    return np.array(norms)
