"""Tries to kill the grader: its parent, its process group, every process.

Trick: os.kill(os.getppid()), os.killpg(0), os.kill(-1) with SIGKILL. In the
sandbox the child is user nobody in its own PID namespace: it can only kill
itself (which is a crash of that call).
"""
import os
import signal

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def kill_all():
    for target in (os.getppid(), -1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    return 0


def kill_group():
    os.killpg(0, signal.SIGKILL)
    return 0
