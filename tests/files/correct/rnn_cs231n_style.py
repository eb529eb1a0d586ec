"""CS231n style tanh RNN: rnn_step_backward through dtanh = (1 - next_h**2) * dnext_h, rnn_forward keeping the step caches in a list, rnn_backward looping over reversed(range(T)) and calling the step backward.

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    next_h, cache = None, None
    next_h = np.tanh(x.dot(W_xh.T) + h_prev.dot(W_hh.T) + b_h)
    cache = (x, h_prev, W_xh, W_hh, next_h)
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = (1 - next_h ** 2) * dnext_h
    dx = dtanh.dot(Wx)
    dprev_h = dtanh.dot(Wh)
    dWx = dtanh.T.dot(x)
    dWh = dtanh.T.dot(prev_h)
    db = np.sum(dtanh, axis=0)
    return dx, dprev_h, dWx, dWh, db


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t, :], prev_h, W_xh, W_hh, b_h)
        h[:, t, :] = prev_h
        cache.append(step_cache)
    return h, cache


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dprev_h = np.zeros((N, H))
    dWx = np.zeros((H, D))
    dWh = np.zeros((H, H))
    db = np.zeros((H,))
    for t in reversed(range(T)):
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db
