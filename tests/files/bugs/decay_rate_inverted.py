"""decay_rate regresses log(norms) on t instead of on the steps back k = T-1-t: the rate is inverted.

expect: q3
hint: steps back
"""


def decay_rate(norms):
    norms = np.asarray(norms, dtype=float)
    if norms.size < 2:
        raise ValueError("need at least two norms")
    if np.any(norms <= 0) or not np.all(np.isfinite(norms)):
        raise ValueError("norms must be positive and finite")
    t = np.arange(norms.size)
    slope = np.polyfit(t, np.log(norms), 1)[0]
    return float(np.exp(slope))
