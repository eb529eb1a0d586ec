"""Writes bytes that are not UTF-8 to stdout and stderr.

Trick: a grader that decodes captured output strictly crashes on them. The
sandbox never parses output and shows such bytes as U+FFFD.
"""
import os
import sys

import numpy as np

os.write(1, b"\xff\xfe\x80 not utf-8 \xc3\x28\n")
os.write(2, b"\xed\xa0\x80\xf8\x88\x80\x80\x80\n")
sys.stdout.buffer.write(b"\x00\x1b[2J\xff\n")
sys.stdout.flush()


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def chain_product(factors):
    os.write(1, b"\xff" * 100)
    os.write(2, b"\x80" * 100)
    return 0.0
