"""decay_rate fitting log10(norms) against the time index t (not steps back) with np.polyfit, then 10 ** (-slope); the checks on its input written as asserts turned into ValueError.

expect: none
"""


def decay_rate(norms):
    norms = np.array(norms, dtype=float)
    try:
        assert norms.ndim == 1 and len(norms) >= 2, "need at least two norms"
        assert np.all(np.isfinite(norms)) and norms.min() > 0, "norms must be positive"
    except AssertionError as e:
        raise ValueError(str(e))
    t = np.arange(len(norms))
    slope_t, intercept = np.polyfit(t, np.log10(norms), 1)
    return 10.0 ** (-slope_t)
