"""rnn_backward adds dh_prev into the caller's dh array in place (right values, input destroyed).

expect: q2
hint: in place
"""


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    dh0 = None
    for t in reversed(range(T)):
        dx[:, t, :], dh_prev, a, b, c = rnn_step_backward(dh[:, t, :], cache[t])
        if t > 0:
            dh[:, t - 1, :] += dh_prev
        else:
            dh0 = dh_prev
        dW_xh += a
        dW_hh += b
        db_h += c
    return dx, dh0, dW_xh, dW_hh, db_h
