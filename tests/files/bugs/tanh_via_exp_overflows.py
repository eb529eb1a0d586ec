"""rnn_step_forward writes tanh as (1 - exp(-2a)) / (1 + exp(-2a)), which returns NaN for a below about -354.

expect: q1
hint: np.tanh
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    a = x @ W_xh.T + h_prev @ W_hh.T + b_h
    e = np.exp(-2.0 * a)
    h_next = (1.0 - e) / (1.0 + e)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)
