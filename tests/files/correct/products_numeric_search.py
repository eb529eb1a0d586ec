"""max_activation_derivative found numerically: each derivative evaluated on a grid through 0 and its maximum taken; chain_product via np.multiply.reduce.

expect: none
"""


def chain_product(factors):
    return float(np.multiply.reduce(np.asarray(factors, dtype=float)))


def max_activation_derivative(name):
    a = np.linspace(-10, 10, 20001)
    if name == "tanh":
        d = 1 - np.tanh(a) ** 2
    elif name == "sigmoid":
        s = 1 / (1 + np.exp(-a))
        d = s * (1 - s)
    elif name == "relu":
        d = (a > 0).astype(float)
    else:
        raise ValueError("unsupported activation: " + str(name))
    return float(d.max())
