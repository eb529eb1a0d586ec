"""gradient_norms_through_time steps back like rnn_backward (row vector times tanh' then W_hh) without building Jacobians; hidden_jacobian with np.einsum over an identity.

expect: none
"""


def hidden_jacobian(h_next, W_hh):
    H = W_hh.shape[0]
    return np.einsum("ni,ij,jk->nik", 1 - h_next ** 2, np.eye(H), W_hh)


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    N, T, D = x.shape
    states = []
    h = h0
    for t in range(T):
        h = np.tanh(x[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        states.append(h)
    norms = np.zeros(T)
    g = dh_T.copy()
    for t in range(T - 1, -1, -1):
        norms[t] = np.sqrt(np.sum(g ** 2))
        g = (g * (1 - states[t] ** 2)) @ W_hh
    return norms
