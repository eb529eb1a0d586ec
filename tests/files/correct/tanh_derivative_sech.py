"""rnn_step_backward with tanh' = 1 / np.cosh(a)**2 from the stored pre-activation (cosh overflows to inf beyond |a| = 710, a RuntimeWarning, and the derivative is then the right 0).

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    a = x @ W_xh.T + h_prev @ W_hh.T + b_h
    return np.tanh(a), (x, h_prev, W_xh, W_hh, a)


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, a = cache
    da = dh_next / np.cosh(a) ** 2
    return da @ W_xh, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)
