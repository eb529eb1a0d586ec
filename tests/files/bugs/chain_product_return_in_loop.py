"""chain_product returns from inside the loop: only the first factor counts.

expect: q0
hint: product
"""


def chain_product(factors):
    result = 1.0
    for f in factors:
        result *= f
        return float(result)
    return result
