"""decay_rate with np.polyfit on the steps back, checking its input with explicit loops.

expect: none
"""


def decay_rate(norms):
    values = [float(v) for v in norms]
    if len(values) < 2:
        raise ValueError("decay_rate needs at least two norms")
    for v in values:
        if not (v > 0 and np.isfinite(v)):
            raise ValueError("every norm must be positive and finite")
    T = len(values)
    steps_back = np.arange(T - 1, -1, -1)
    slope, _ = np.polyfit(steps_back, np.log(values), deg=1)
    return float(np.exp(slope))
