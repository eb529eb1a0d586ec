"""chain_product adds the factors instead of multiplying them.

expect: q0
hint: product
"""


def chain_product(factors):
    total = 0.0
    for f in factors:
        total += f
    return float(total)
