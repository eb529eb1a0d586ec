"""Opens network connections.

Trick: talks to a service of the grading machine on 127.0.0.1 (a database,
the grader's own server) or sends the hidden inputs out. The child has its
own empty network namespace.
"""
import socket

import numpy as np


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def connect(port, host="127.0.0.1"):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b"stolen")
        s.close()
        return "connected"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def interfaces():
    return [name for _, name in socket.if_nameindex()]
