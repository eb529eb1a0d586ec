"""rnn_step_forward multiplies by W_hh instead of W_hh.T (and the backward follows the spec).

expect: q1
also: q2 q3
hint: W_hh.T
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    a = x @ W_xh.T + h_prev @ W_hh + b_h
    h_next = np.tanh(a)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)
