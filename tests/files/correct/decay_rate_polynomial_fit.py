"""decay_rate with numpy's newer Polynomial.fit API, converted back from its scaled window before reading the slope.

expect: none
"""

from numpy.polynomial import Polynomial


def decay_rate(norms):
    norms = np.asarray(norms, dtype=np.float64)
    if norms.shape[0] < 2:
        raise ValueError("at least two norms are needed")
    if not (np.isfinite(norms).all() and (norms > 0).all()):
        raise ValueError("norms must be finite and > 0")
    steps_back = np.arange(norms.shape[0])[::-1]
    line = Polynomial.fit(steps_back, np.log(norms), deg=1).convert()
    return float(np.exp(line.coef[1]))
