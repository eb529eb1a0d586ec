"""decay_rate fits log10 of the norms but returns exp(slope): mixes two bases.

expect: q3
hint: natural log
"""


def decay_rate(norms):
    norms = np.asarray(norms, dtype=float)
    if norms.size < 2:
        raise ValueError("need at least two norms")
    if np.any(norms <= 0) or not np.all(np.isfinite(norms)):
        raise ValueError("norms must be positive and finite")
    T = norms.size
    k = T - 1 - np.arange(T)
    slope = np.polyfit(k, np.log10(norms), 1)[0]
    return float(np.exp(slope))
