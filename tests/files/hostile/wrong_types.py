"""Returns values of the wrong types.

Trick: np.matrix (an ndarray subclass whose * and shape rules differ), plain
lists, strings, None, dicts with int keys, sets, generators, object arrays,
complex numbers: a grader that trusts the type can crash on them.
"""
import numpy as np


# ---- the SPEC.md functions, answered trivially (zeros of the right shape) ----

def chain_product(factors):
    return 0.0


def max_activation_derivative(name):
    return 0.0


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return np.zeros_like(h_prev), (x, h_prev, W_xh, W_hh)


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh = cache
    return (np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(W_xh),
            np.zeros_like(W_hh), np.zeros(W_hh.shape[0]))


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return np.zeros(x.shape[:2] + h0.shape[1:]), (x, h0, W_xh, W_hh)


def rnn_backward(dh, cache):
    x, h0, W_xh, W_hh = cache
    return (np.zeros_like(x), np.zeros_like(h0), np.zeros_like(W_xh),
            np.zeros_like(W_hh), np.zeros(W_hh.shape[0]))


def hidden_jacobian(h_next, W_hh):
    N, H = h_next.shape
    return np.zeros((N, H, H))


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    return np.zeros(x.shape[1])


def decay_rate(norms):
    return 0.0


def _zero_grads(params):
    return {k: np.zeros_like(v) for k, v in params.items()}


def lstm_step_forward(x, h_prev, c_prev, params):
    return np.zeros_like(h_prev), np.zeros_like(c_prev), (x, h_prev, params)


def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, params = cache
    return np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(h_prev), _zero_grads(params)


def lstm_forward(x, h0, params):
    return np.zeros(x.shape[:2] + h0.shape[1:]), (x, h0, params)


def lstm_backward(dh, cache):
    x, h0, params = cache
    return np.zeros_like(x), np.zeros_like(h0), _zero_grads(params)


def gru_step_forward(x, h_prev, params):
    return np.zeros_like(h_prev), (x, h_prev, params)


def gru_step_backward(dh_next, cache):
    x, h_prev, params = cache
    return np.zeros_like(x), np.zeros_like(h_prev), _zero_grads(params)


def gru_forward(x, h0, params):
    return np.zeros(x.shape[:2] + h0.shape[1:]), (x, h0, params)


def gru_backward(dh, cache):
    x, h0, params = cache
    return np.zeros_like(x), np.zeros_like(h0), _zero_grads(params)


def clip_grad_norm(grads, max_norm):
    return _zero_grads(grads), 0.0


def clip_grad_value(grads, clip_value):
    return _zero_grads(grads)


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return np.matrix(np.zeros(h_prev.shape)), None


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return np.zeros(x.shape[:2] + h0.shape[1:]).tolist(), None


def hidden_jacobian(h_next, W_hh):
    return "zeros"


def decay_rate(norms):
    return None


def clip_grad_norm(grads, max_norm):
    return {0: 1, 1: 2}, {1, 2, 3}


def clip_grad_value(grads, clip_value):
    return (v for v in grads)


def max_activation_derivative(name):
    return np.array([1.0, "a", None], dtype=object)


def chain_product(factors):
    return complex(1, 2)


def all_kinds():
    return [np.float32(1.5), np.int64(3), np.bool_(True), np.complex128(1j), 1, 2.5, True,
            None, "s", (1, 2), [1, 2], {"a": (np.arange(3),)}, np.zeros((2, 0)),
            np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.array(["ab", "c"]),
            np.arange(4, dtype=">i4")]
