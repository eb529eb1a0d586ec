"""Calls os._exit(0) inside a graded function.

Trick: the process ends at once with status 0, no exception, no cleanup:
tests in the same process just stop. In the sandbox that call is a crash and
the next call runs in a fresh child.
"""
import os

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    os._exit(0)


def segfault():
    import ctypes
    ctypes.string_at(0)
