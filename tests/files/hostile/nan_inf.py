"""Returns NaN and infinities.

Trick: NaN compares unequal to everything, and a careless `not (err > tol)`
passes it. The sandbox must carry NaN and inf through unchanged so the
grader can reject them.
"""
import math

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def chain_product(factors):
    return float("nan")


def max_activation_derivative(name):
    return math.inf


def decay_rate(norms):
    return -math.inf


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h = np.full_like(h_prev, np.nan)
    h[0, 0] = np.inf
    return h, None


def clip_grad_norm(grads, max_norm):
    return {k: np.full_like(v, np.nan) for k, v in grads.items()}, float("nan")
