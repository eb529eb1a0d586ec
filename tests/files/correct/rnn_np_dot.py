"""RNN step with np.dot and .dot on column-vector orientation (W @ x.T), transposing back at the end.

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    a = (np.dot(W_xh, x.T) + W_hh.dot(h_prev.T) + b_h[:, np.newaxis]).T
    h_next = np.tanh(a)
    return h_next, [x, h_prev, W_xh, W_hh, h_next]


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = (dh_next * (1 - h_next * h_next)).T          # (H, N), column vectors
    dx = np.dot(W_xh.T, da).T
    dh_prev = np.dot(W_hh.T, da).T
    dW_xh = da.dot(x)
    dW_hh = da.dot(h_prev)
    db_h = np.sum(da, axis=1)
    return dx, dh_prev, dW_xh, dW_hh, db_h
