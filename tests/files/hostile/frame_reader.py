"""Looks for the expected answers in the caller's memory.

Trick: walks sys._getframe() and inspect.stack() up to the checker's frames
and reads their locals (an "expected" array is usually there), and scans
gc.get_objects() for arrays of the right shape. In the sandbox the caller is
the worker in another process: no grader frame or value exists here.
"""
import gc
import inspect
import sys

import numpy as np

SECRET = 987654.321     # the test keeps this value in its own frame, as a checker keeps an expected answer


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def spy(secret_marker=SECRET):
    """Report every calling frame, and every place the secret value is found
    in a caller's locals or in any list this process holds."""
    files, local_names, hits = [], [], 0
    f = sys._getframe().f_back
    while f is not None:
        files.append(f.f_code.co_filename)
        local_names.extend(sorted(f.f_locals))
        for value in f.f_locals.values():
            if isinstance(value, float) and value == secret_marker:
                hits += 1
            if isinstance(value, np.ndarray) and value.size and np.any(value == secret_marker):
                hits += 1
        f = f.f_back
    for info in inspect.stack():
        files.append(info.filename)
    for obj in gc.get_objects():
        if type(obj) is list:
            for v in obj:
                if isinstance(v, float) and v == secret_marker:
                    hits += 1
                elif isinstance(v, np.ndarray) and v.size and np.any(v == secret_marker):
                    hits += 1
    return {"files": sorted(set(files)), "locals": sorted(set(local_names)), "hits": hits}


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    # return the first (N, H) array found in any calling frame
    f = sys._getframe().f_back
    while f is not None:
        for value in f.f_locals.values():
            if isinstance(value, np.ndarray) and value.shape == h_prev.shape and value is not h_prev:
                return value.copy(), None
        f = f.f_back
    return np.zeros_like(h_prev), None
