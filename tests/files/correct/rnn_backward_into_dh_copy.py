"""rnn_backward that copies dh and adds each step's dh_prev into the previous slice of the copy (no separate carry); rnn_forward stacks a list of states.

expect: none
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    hs, caches = [], []
    h = h0
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t, :], h, W_xh, W_hh, b_h)
        hs.append(h)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def rnn_backward(dh, cache):
    dh = dh.copy()
    N, T, H = dh.shape
    grads = None
    dxs = []
    dh0 = None
    for t in range(T - 1, -1, -1):
        dx_t, dh_prev, dW_xh, dW_hh, db_h = rnn_step_backward(dh[:, t, :], cache[t])
        if t > 0:
            dh[:, t - 1, :] += dh_prev
        else:
            dh0 = dh_prev
        dxs.insert(0, dx_t)
        step = [dW_xh, dW_hh, db_h]
        grads = step if grads is None else [a + b for a, b in zip(grads, step)]
    return (np.stack(dxs, axis=1), dh0, *grads)
