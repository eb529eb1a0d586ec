"""The LSTM sequence computed in float64 but stored in float32 buffers (np.empty(..., dtype='f')).

The values are right to float32 precision; only the dtype breaks SPEC.md's
"every array is float64". lstm_forward's h and lstm_backward's dx are float32.

expect: q4
hint: its values are right; return float64
"""


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H), dtype='f')
    h_t, c_t = h0, np.zeros((N, H))
    cache = []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t, :], h_t, c_t, params)
        h[:, t, :] = h_t
        cache.append(step)
    return h, cache


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1] - H
    dx = np.empty((N, T, D), dtype='f')
    grads = {key: np.zeros_like(value) for key, value in cache[0][-1].items()}
    dh_later, dc_later = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx_t, dh_later, dc_later, step_grads = lstm_step_backward(dh[:, t, :] + dh_later, dc_later, cache[t])
        dx[:, t, :] = dx_t
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_later, grads
