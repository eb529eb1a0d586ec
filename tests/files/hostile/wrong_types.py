"""Returns values of the wrong types.

Trick: np.matrix (an ndarray subclass whose * and shape rules differ), plain
lists, strings, None, dicts with int keys, sets, generators, object arrays,
complex numbers: a grader that trusts the type can crash on them.
"""
import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


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
