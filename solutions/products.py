"""Part 0: why a long product of local gradient factors vanishes or explodes.

Backpropagation through T steps multiplies T local factors. If every factor
is below 1 the product shrinks geometrically; if every factor is above 1 it
grows geometrically (seed documents 000 and 004).
"""

import numpy as np

# The largest value of each activation's derivative over the real line:
# tanh'(a) = 1 - tanh(a)^2 peaks at a = 0 with 1; sigmoid'(a) = s(1 - s)
# peaks at s = 1/2 with 1/4; relu'(a) is 0 or 1.
_MAX_DERIVATIVE = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}


def chain_product(factors):
    """Multiply the local gradient factors met along one backward path.

    Inputs:
    - factors: sequence of K numbers (a list or an array of shape (K,))

    Returns:
    - the product as a Python float (1.0 for an empty sequence)

    chain_product([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]) is 0.018144 and
    chain_product([1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7]) is 9.801792
    (seed document 000 prints 9.35 for the second one; that is an error).
    """
    return float(np.prod(np.asarray(factors, dtype=np.float64)))


def max_activation_derivative(name):
    """Largest value of an activation's derivative.

    Inputs:
    - name: "tanh", "sigmoid" or "relu"

    Returns:
    - float: 1.0 for tanh, 0.25 for sigmoid, 1.0 for relu

    Raises ValueError for any other name.
    """
    if name not in _MAX_DERIVATIVE:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(_MAX_DERIVATIVE)}")
    return _MAX_DERIVATIVE[name]
