"""Holds memory in forked children, each under the per-process limit.

Trick: the address-space rlimit bounds each process on its own, so n
children of 200 MiB each hold n x 200 MiB (by default up to 64 x 2 GiB).
In the sandbox (as root) the child's control group limits the memory of
its whole process tree: the kernel's OOM killer stops the tree at the
limit and the call fails with a message saying so.
"""
import os
import time

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def fork_and_touch(n=4, mib=200, hold_seconds=3.0):
    """Fork n children that each touch mib MiB and hold it; return how many
    of them held it to the end."""
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                block = bytearray(mib * 1024 * 1024)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                time.sleep(hold_seconds)
            finally:
                os._exit(0)
        pids.append(pid)
    held = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        held += os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return held

