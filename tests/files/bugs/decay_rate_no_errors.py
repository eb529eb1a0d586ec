"""decay_rate never raises: one norm gives nan, a zero norm gives -inf logs.

expect: q3
hint: ValueError
"""


def decay_rate(norms):
    norms = np.asarray(norms, dtype=float)
    T = norms.size
    k = T - 1 - np.arange(T)
    y = np.log(norms)
    kc = k - k.mean()
    with np.errstate(all="ignore"):
        slope = np.sum(kc * (y - y.mean())) / np.sum(kc ** 2)
    return float(np.exp(slope))
