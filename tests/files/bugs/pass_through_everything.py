"""Every forward hands back its input (h_prev, or h0 at every step) and every backward passes dh straight through.

Each backward is the exact derivative of its do-nothing forward, and each
sequence function matches its do-nothing step chained over time: no
consistency credit may be earned that way (tests/test_grading.py compares
this file, composed on the stub, with tests/files/zeros.py).

expect: q1 q2 q3 q4 q5
hint: is wrong
"""


def _zero_grads(params):
    return {k: np.zeros_like(v) for k, v in params.items()}


def _repeat(h0, T):
    return np.repeat(h0[:, None, :], T, axis=1)


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return h_prev.copy(), (x, W_xh, W_hh)


def rnn_step_backward(dh_next, cache):
    x, W_xh, W_hh = cache
    return np.zeros_like(x), dh_next.copy(), np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return _repeat(h0, x.shape[1]), (x, W_xh, W_hh)


def rnn_backward(dh, cache):
    x, W_xh, W_hh = cache
    return np.zeros_like(x), dh.sum(axis=1), np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])


def hidden_jacobian(h_next, W_hh):
    N, H = h_next.shape
    return np.repeat(np.eye(H)[None], N, axis=0)


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    return np.full(x.shape[1], np.linalg.norm(dh_T))


def lstm_step_forward(x, h_prev, c_prev, params):
    return h_prev.copy(), c_prev.copy(), (x, params)


def lstm_step_backward(dh_next, dc_next, cache):
    x, params = cache
    return np.zeros_like(x), dh_next.copy(), dc_next.copy(), _zero_grads(params)


def lstm_forward(x, h0, params):
    return _repeat(h0, x.shape[1]), (x, params)


def lstm_backward(dh, cache):
    x, params = cache
    return np.zeros_like(x), dh.sum(axis=1), _zero_grads(params)


def gru_step_forward(x, h_prev, params):
    return h_prev.copy(), (x, params)


def gru_step_backward(dh_next, cache):
    x, params = cache
    return np.zeros_like(x), dh_next.copy(), _zero_grads(params)


def gru_forward(x, h0, params):
    return _repeat(h0, x.shape[1]), (x, params)


def gru_backward(dh, cache):
    x, params = cache
    return np.zeros_like(x), dh.sum(axis=1), _zero_grads(params)
