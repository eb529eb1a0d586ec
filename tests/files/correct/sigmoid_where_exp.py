"""The student's own sigmoid with np.where over two exp branches, each computed on clipped inputs so that nothing overflows.

expect: none
"""


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    pos = 1.0 / (1.0 + np.exp(-np.clip(x, 0, None)))
    ex = np.exp(np.clip(x, None, 0))
    neg = ex / (1.0 + ex)
    return np.where(x >= 0, pos, neg)
