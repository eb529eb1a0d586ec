"""Prints 300 MB.

Trick: fills the grader's memory or disk with captured output, or blocks the
child on a full pipe. The sandbox drains the pipes, keeps 1 MiB and drops
the rest with a note.
"""
import sys

import numpy as np

_LINE = "x" * 1023 + "\n"


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def flood(megabytes=300):
    chunk = _LINE * 1024
    for _ in range(megabytes):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return megabytes


def chain_product(factors):
    flood(300)
    return 0.0
