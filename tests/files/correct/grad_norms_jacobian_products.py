"""gradient_norms_through_time keeping the running product of Jacobians dh_T/dh_t per sample (np.matmul of (N, H, H) stacks); hidden_jacobian as a stack of np.diag(1 - h**2) @ W_hh.

expect: none
"""


def hidden_jacobian(h_next, W_hh):
    return np.stack([np.diag(1 - h ** 2) @ W_hh for h in h_next])


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    N, T, _ = x.shape
    H = h0.shape[1]
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ W_xh.T + hs[-1] @ W_hh.T + b_h))
    product = np.broadcast_to(np.eye(H), (N, H, H)).copy()     # dh_T / dh_T
    norms = np.empty(T)
    for t in range(T, 0, -1):                                   # product = dh_T / dh_t
        grad = np.matmul(dh_T[:, None, :], product)[:, 0, :]
        norms[t - 1] = np.linalg.norm(grad)
        product = np.matmul(product, hidden_jacobian(hs[t], W_hh))
    return norms
