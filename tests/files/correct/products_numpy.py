"""chain_product returning np.prod's numpy float64 as is, max_activation_derivative turning a KeyError into ValueError.

expect: none
"""

_PEAKS = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}


def chain_product(factors):
    return np.prod(np.asarray(factors, dtype=np.float64))


def max_activation_derivative(name):
    try:
        return _PEAKS[name]
    except KeyError:
        raise ValueError(f"unknown activation: {name}") from None
