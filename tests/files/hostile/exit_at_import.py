"""Calls sys.exit(3) at import, after defining two functions.

Trick: a grader that imports the file dies (or exits with the student's
status). In the sandbox the SystemExit is a note; what was defined before
it stays gradable.
"""
import sys

import numpy as np


def chain_product(factors):
    return 0.0


def max_activation_derivative(name):
    return 0.0


sys.exit(3)


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return None
