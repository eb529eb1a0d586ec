"""max_activation_derivative returns 0 for an unknown activation instead of raising ValueError.

expect: q0
hint: ValueError
"""


def max_activation_derivative(name):
    table = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}
    return table.get(name, 0.0)
