"""Has a syntax error on line 12.

Trick: none; the load must fail with a clear reason that gives the line.
"""
import numpy as np


def chain_product(factors):
    return 0.0


def rnn_forward(x, h0, W_xh, W_hh, b_h:
    return None
