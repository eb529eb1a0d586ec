"""Calls os._exit(0) at import.

Trick: the process ends during import with status 0. Nothing is gradable;
the load must say so, and every call must be "not gradable".
"""
import os

import numpy as np


def chain_product(factors):
    return 0.0


os._exit(0)
