"""decay_rate uses only the first and last norms instead of a least-squares fit of all of them.

expect: q3
hint: every norm
"""


def decay_rate(norms):
    norms = np.asarray(norms, dtype=float)
    if len(norms) < 2:
        raise ValueError("need at least two norms")
    if np.any(norms <= 0):
        raise ValueError("norms must be positive")
    T = len(norms)
    return float((norms[0] / norms[-1]) ** (1.0 / (T - 1)))
