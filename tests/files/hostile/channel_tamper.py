"""Tampers with the grader's channel from inside the child.

Trick: finds the worker's reply pipe (gc, /proc/self/fd) and writes forged
replies: one with a guessed nonce that claims a perfect result, and plain
garbage. Frames with the wrong nonce or sequence number are dropped;
garbage is a crash of that call only. A forged reply with the right nonce
(which the child can find in its own memory) is equivalent to returning
that value, so it gains nothing.
"""
import gc
import json
import os
import struct

import numpy as np


def _worker():
    for obj in gc.get_objects():
        if type(obj).__name__ == "Worker" and hasattr(obj, "wfd"):
            return obj
    return None


def _frame(header):
    header["blobs"] = []
    text = json.dumps(header).encode()
    return b"RGS1" + struct.pack(">IQ", len(text), 0) + text


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def forge_wrong_nonce():
    w = _worker()
    os.write(w.wfd, _frame({"n": "0" * 32, "s": w.seq, "r": "ok", "v": 42, "m": []}))
    os.write(w.wfd, _frame({"n": w.nonce, "s": w.seq + 7, "r": "ok", "v": 43, "m": []}))
    return 0


def garbage():
    w = _worker()
    os.write(w.wfd, b"garbage that is not a frame" * 10)
    return 0


def fake_json_stdout():
    print(json.dumps({"r": "ok", "v": 100, "n": "x", "s": 1}))
    return 0


def hide_mutation(d):
    """Mutate an argument and patch the worker's check so it is not reported."""
    import autograder.student as s
    import autograder.sandbox.worker as wk
    wk.changed_paths = lambda *a, **k: []
    d["W_f"][...] = 99.0
    return 0


def close_channel():
    w = _worker()
    os.close(w.wfd)
    return 0
