"""The RNN step computed in float32 "to save memory": not accurate enough for the checks.

expect: q1
also: q2 q3
hint: float64
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    x32, h32 = x.astype(np.float32), h_prev.astype(np.float32)
    a = x32 @ W_xh.T.astype(np.float32) + h32 @ W_hh.T.astype(np.float32) + b_h.astype(np.float32)
    h_next = np.tanh(a)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)
