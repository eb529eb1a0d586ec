"""The honest all-zeros submission: every SPEC.md function answered trivially.

Zeros (or None) of the right shapes; nothing is computed. The hostile fixtures in
tests/files/hostile/ are this file plus one trick (tests/hostile_fixtures.py
composes them), and no trick may score more than this file.
"""
import numpy as np


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
