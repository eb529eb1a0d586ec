"""Fills the disk and opens many files.

Trick: writes a 100 MB file, then many files until the disk is full, then
opens a thousand files. RLIMIT_FSIZE, the size-limited private /tmp and
RLIMIT_NOFILE stop each of them.
"""
import os
import tempfile

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def big_file():
    with open("big.bin", "wb") as f:
        for _ in range(100):
            f.write(b"\0" * (1 << 20))
    return os.path.getsize("big.bin")


def many_files():
    written = 0
    try:
        for i in range(100):
            with open(f"part{i}.bin", "wb") as f:
                f.write(b"\0" * (8 << 20))
            written += 8
    except OSError as exc:
        return written, type(exc).__name__, exc.errno
    return written, None, None


def many_fds():
    handles = []
    try:
        for _ in range(1000):
            handles.append(open(os.devnull))
    except OSError as exc:
        return len(handles), exc.errno
    return len(handles), None
