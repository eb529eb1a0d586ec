"""chain_product with a for loop (and math.prod-free), max_activation_derivative with if/elif.

expect: none
"""


def chain_product(factors):
    result = 1.0
    for factor in factors:
        result = result * float(factor)
    return result


def max_activation_derivative(name):
    if name == "tanh":
        return 1.0
    if name == "sigmoid":
        return 1.0 / 4.0
    if name == "relu":
        return 1.0
    raise ValueError(f"no such activation: {name}")
