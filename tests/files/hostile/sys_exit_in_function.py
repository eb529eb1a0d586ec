"""Calls sys.exit(0) inside a graded function.

Trick: SystemExit stops a naive grader (or makes it exit with status 0, as if
every test passed). In the sandbox it is an exception of that one call.
"""
import sys

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    sys.exit(0)
