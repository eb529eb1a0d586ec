"""Returns lists nested 40 deep around 32-dimensional arrays where arrays are expected.

Trick: numpy refuses arrays of more than 64 dimensions (the protocol lets
each value nest 64 deep and each array have 32 dimensions), so a check that
asks for the shape of such a value (np.shape) failed inside the grader and
the row became "internal error of the autograder". Parts of a returned
value nested deeper than student.VALUE_DEPTH are replaced, where values
cross from the student, by a marker that fails the type stage: these
functions score zero with a message, and the rest of the row is graded.
"""
import numpy as np


def _deep(depth=40):
    value = np.ones((1,) * 32)          # 40 lists around 32 dimensions: 72 in all
    for _ in range(depth):
        value = [value]
    return value


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def gru_forward(x, h0, params):
    return _deep(), _deep()


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return _deep(), _deep()


def clip_grad_norm(grads, max_norm):
    return {k: _deep() for k in grads}, _deep()
