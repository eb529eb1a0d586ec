"""Defines none of the graded functions.

Trick: none; a submission with only helpers (and a typo in a name) must get
"is not defined" for every function, not an error of the grader.
"""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def rnn_forwrad(x, h0, W_xh, W_hh, b_h):   # typo on purpose
    return None
