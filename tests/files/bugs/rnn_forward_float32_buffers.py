"""rnn_forward stores each float64 state in a float32 buffer (np.empty(..., dtype=np.float32)).

The values are right to float32 precision; the dtype is not SPEC.md's float64.
rnn_backward is given float64 step caches and stays right.

expect: q2
hint: `h` is float32 (a float32 buffer, or `.astype`?); its values are right; return float64
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.float32)
    h_t, cache = h0, []
    for t in range(T):
        h_t, step = rnn_step_forward(x[:, t, :], h_t, W_xh, W_hh, b_h)
        h[:, t, :] = h_t
        cache.append(step)
    return h, cache
