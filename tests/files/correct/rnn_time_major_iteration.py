"""tanh RNN sequence that iterates over a time-major view (for x_t in x.transpose(1, 0, 2)) and keeps the step caches in a dict keyed by t.

expect: none
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    outputs, caches = [], {}
    h_t = h0
    for t, x_t in enumerate(x.transpose(1, 0, 2)):
        h_t, caches[t] = rnn_step_forward(x_t, h_t, W_xh, W_hh, b_h)
        outputs.append(h_t)
    return np.stack(outputs, axis=1), caches


def rnn_backward(dh, cache):
    T = len(cache)
    dxs = {}
    dh_prev = np.zeros_like(dh[:, 0, :])
    sums = None
    for t in sorted(cache, reverse=True):
        dxs[t], dh_prev, *weights = rnn_step_backward(dh[:, t, :] + dh_prev, cache[t])
        sums = weights if sums is None else [s + w for s, w in zip(sums, weights)]
    return (np.stack([dxs[t] for t in range(T)], axis=1), dh_prev, *sums)
