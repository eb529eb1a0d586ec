"""Recurses without end.

Trick: a stack overflow can kill the grading process. In the sandbox it is a
RecursionError of that call (or a crash of the child if the C stack goes).
"""
import sys

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return rnn_forward(x, h0, W_xh, W_hh, b_h)


def deep(n=0):
    sys.setrecursionlimit(10 ** 6)
    return deep(n + 1)
