"""Loops forever and ignores SIGTERM (and SIGINT, SIGALRM, SIGXCPU).

Trick: a grader that stops overlong calls politely (SIGTERM, alarm, an
exception) never gets control back. The sandbox kills the whole process
(namespace) with SIGKILL when the call's time is up.
"""
import signal

import numpy as np

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU, signal.SIGHUP):
    signal.signal(_sig, signal.SIG_IGN)


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    while True:
        try:
            pass
        except BaseException:
            pass


def spin():
    n = 0
    while True:
        n += 1
