"""Returns Python ints far outside float range (10**400) where numbers are expected.

Trick: float(10**400) raises OverflowError, so a check that converts a
returned value (np.asarray(..., dtype=float)) failed inside the grader and
the whole row became "internal error of the autograder". Values are
normalised where they cross from the student (ints outside int64 become
floats, here infinities), so these functions simply score zero with a
message, and the rest of the row is graded.
"""
import numpy as np

BIG = 10 ** 400


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def chain_product(factors):
    return -BIG


def decay_rate(norms):
    return BIG


def hidden_jacobian(h_next, W_hh):
    return [[[BIG] * W_hh.shape[0]] * W_hh.shape[0]] * h_next.shape[0]


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    return [BIG] * x.shape[1]


def clip_grad_norm(grads, max_norm):
    return {k: [[BIG]] for k in grads}, BIG


def clip_grad_value(grads, clip_value):
    return {k: BIG for k in grads}
