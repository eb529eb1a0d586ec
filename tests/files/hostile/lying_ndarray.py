"""Returns an ndarray subclass that lies about equality.

Trick: __eq__ says everything is equal, __array_function__ makes np.allclose
and np.array_equal return True, and isinstance(x, np.ndarray) still holds.
Crossing the boundary as .npy bytes turns it into a plain ndarray.
"""
import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool).view(np.ndarray)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool).view(np.ndarray)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in ("allclose", "array_equal", "array_equiv"):
            return True
        if func.__name__ == "isclose":
            return np.ones(np.shape(args[0]), dtype=bool)
        return super().__array_function__(func, types, args, kwargs)


def liar(shape):
    return np.zeros(shape).view(Liar)


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return liar(h_prev.shape), None


def hidden_jacobian(h_next, W_hh):
    N, H = h_next.shape
    return liar((N, H, H))
