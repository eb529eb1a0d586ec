"""chain_product as math.prod(factors) (the int 1 for an empty list), max_activation_derivative from a dict whose peaks for tanh and relu are the int 1.

expect: none
"""

import math


def chain_product(factors):
    return math.prod(factors)


def max_activation_derivative(name):
    peaks = {"tanh": 1, "sigmoid": 0.25, "relu": 1}
    if name not in peaks:
        raise ValueError(f"{name} is not one of {sorted(peaks)}")
    return peaks[name]
