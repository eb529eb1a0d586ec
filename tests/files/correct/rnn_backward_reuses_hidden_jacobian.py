"""rnn_backward that reuses Part 2's hidden_jacobian to step dL/dh back through time (dh_prev = dh_t @ J_t per sample), with the weight gradients from the same tanh' = 1 - h**2.

expect: none
"""


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    xs = [c[0] for c in cache]
    h_prevs = [c[1] for c in cache]
    hs = [c[4] for c in cache]
    W_xh, W_hh = cache[0][2], cache[0][3]
    dx = np.zeros((N, T, W_xh.shape[1]))
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(H)
    dh_t = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh_t = dh_t + dh[:, t]
        da = dh_t * (1 - hs[t] ** 2)
        dx[:, t] = da @ W_xh
        dW_xh += da.T @ xs[t]
        dW_hh += da.T @ h_prevs[t]
        db_h += da.sum(axis=0)
        dh_t = np.einsum("nh,nhk->nk", dh_t, hidden_jacobian(hs[t], W_hh))
    return dx, dh_t, dW_xh, dW_hh, db_h
