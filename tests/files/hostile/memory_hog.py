"""Allocates 4 GiB and touches every page.

Trick: exhausts the grading machine's memory (this machine would grant it).
The child's address space is capped, so the allocation fails.
"""
import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    hog = np.ones(4 * 1024 ** 3 // 8)
    return np.zeros(x.shape[:2] + h0.shape[1:]) + hog[0] * 0, None


def hog_list():
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(64 * 1024 * 1024))
    return len(blocks)
