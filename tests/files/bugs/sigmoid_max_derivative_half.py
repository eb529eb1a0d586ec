"""max_activation_derivative says the sigmoid's derivative peaks at 0.5 (its value, not its slope).

expect: q0
hint: s * (1 - s)
"""


def max_activation_derivative(name):
    if name == "tanh":
        return 1.0
    elif name == "sigmoid":
        return 0.5
    elif name == "relu":
        return 1.0
    raise ValueError("unknown activation " + name)
