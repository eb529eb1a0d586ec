"""rnn_forward keeps [h0, h1, ..., hT]; rnn_backward takes h_next from index t, which is h_{t-1}.

expect: q2
hint: off by one
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    hs = [h0]
    for t in range(T):
        h_t, _ = rnn_step_forward(x[:, t, :], hs[-1], W_xh, W_hh, b_h)
        hs.append(h_t)
    h = np.stack(hs[1:], axis=1)
    return h, (x, hs, W_xh, W_hh)


def rnn_backward(dh, cache):
    x, hs, W_xh, W_hh = cache
    N, T, H = dh.shape
    dx = np.zeros_like(x)
    dW_xh = np.zeros_like(W_xh)
    dW_hh = np.zeros_like(W_hh)
    db_h = np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        h_next = hs[t]
        h_prev = hs[t - 1] if t > 0 else hs[0]
        step_cache = (x[:, t, :], h_prev, W_xh, W_hh, h_next)
        dx[:, t, :], dh_next, a, b, c = rnn_step_backward(dh[:, t, :] + dh_next, step_cache)
        dW_xh += a
        dW_hh += b
        db_h += c
    return dx, dh_next, dW_xh, dW_hh, db_h
