"""Monkeypatches numpy so that every comparison passes.

Trick: np.allclose, np.isclose, np.array_equal and np.testing.assert_allclose
are replaced at import (this gave full marks under otter and nbgrader, whose
tests share the student's kernel). In the sandbox only the child's numpy is
patched; the grader compares in its own process.
"""
import numpy as np

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def probe():
    """What numpy looks like from inside the child."""
    return bool(np.allclose(0.0, 1.0)), np.testing.assert_allclose(0.0, 1.0)
