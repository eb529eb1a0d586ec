"""Leaves a thread running that prints and burns CPU after returning.

Trick: work that outlives the call (printing into a pipe nobody drains,
mutating shared state later). The child keeps working; output is drained
during later calls; everything dies with the child.
"""
import sys
import threading
import time

import numpy as np

_state = {"ticks": 0}


def _run():
    while True:
        _state["ticks"] += 1
        print("tick", _state["ticks"])
        time.sleep(0.001)


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def start():
    threading.Thread(target=_run, daemon=True).start()
    return True


def ticks():
    return _state["ticks"]
