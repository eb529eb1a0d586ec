"""A "stable" sigmoid that still evaluates both np.where branches on every element, 1/(1+exp(-x)) and exp(x)/(1+exp(x)): the unused branch overflows and gives inf/inf = NaN with RuntimeWarnings, but np.where keeps the right one.

expect: none
"""


def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
