"""q0: products of local gradient factors, and the largest activation slopes."""


import solutions

from ..cases import rng_for
from ..spec import FORWARD_TOL
from .common import CaseBuilder, raises_case


def _factor_cases():
    rng = rng_for("chain_product")
    return [
        ("seed factors 0.9 ... 0.3", [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]),
        ("seed factors 1.1 ... 1.7", [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7]),
        ("one factor", [0.37]),
        ("random factors around 1", list(rng.uniform(0.5, 1.5, size=20))),
        ("factors as an array", rng.uniform(0.8, 1.2, size=12)),
    ]


def check_chain_product(student):
    results = []
    for name, factors in _factor_cases():
        case = CaseBuilder("chain_product", name)
        out = case.call(student, "chain_product", factors, arg_names=("factors",))
        if out is not None:
            case.number("product", out.value, solutions.chain_product(factors), FORWARD_TOL)
        results.append(case.result())
    return results


def check_max_activation_derivative(student):
    results = []
    for name in ("tanh", "sigmoid", "relu"):
        case = CaseBuilder("max_activation_derivative", name)
        out = case.call(student, "max_activation_derivative", name, arg_names=("name",))
        if out is not None:
            v = case.number(f"max {name}'", out.value, solutions.max_activation_derivative(name), FORWARD_TOL)
            if not v.ok:
                v.message = (f"`max_activation_derivative('{name}')` is wrong: find where {name}'s "
                             "derivative is largest and evaluate it there")
        results.append(case.result())
    for name in ("softmax", "gelu"):
        results.append(raises_case(student, "max_activation_derivative", f"ValueError for '{name}'",
                                   (name,), ("name",), "raises-on-unknown-name"))
    return results


CHECKS = {"chain_product": check_chain_product, "max_activation_derivative": check_max_activation_derivative}
