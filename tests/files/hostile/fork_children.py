"""Starts 50 sleeping children that leave the process group (setsid).

Trick: processes that survive grading (escaping a process-group kill) keep
using the machine, or come back later. In the sandbox the children live in
the child's PID namespace and die with it; RLIMIT_NPROC bounds them.
"""
import os
import time

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def fork_children(n=50, seconds=600):
    """Fork n children that setsid() and sleep; return their pids and the
    PID namespace they are in."""
    pids = []
    for _ in range(n):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.setsid()
                os.closerange(3, 256)
                time.sleep(seconds)
            finally:
                os._exit(0)
        pids.append(pid)
    return {"pids": pids, "pidns": os.readlink("/proc/self/ns/pid")}


def fork_many(n=500):
    """How many processes can be started at all."""
    got = 0
    for _ in range(n):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(600)
            os._exit(0)
        got += 1
    return got
