"""q0: products of local gradient factors, and the largest activation slopes."""

from ..spec import FORWARD_TOL
from . import oracle
from .common import CaseBuilder, raises_case


def _factor_cases(profile):
    """(name, factors) of the profile's chain_product cases, drawn in order from one rng."""
    rng = profile.rng("chain_product")
    return [(name, make(rng)) for name, make in profile.factor_cases]


def check_chain_product(student):
    mode = oracle.current()
    results = []
    for name, factors in _factor_cases(mode.profile):
        expected = mode.oracle.call("chain_product", factors)
        case = CaseBuilder("chain_product", name)
        out = case.call(student, "chain_product", factors, arg_names=("factors",))
        if out is not None:
            case.number("product", out.value, expected, FORWARD_TOL)
        results.append(case.result())
    return results


def check_max_activation_derivative(student):
    mode = oracle.current()
    results = []
    for name in mode.profile.activations:
        expected = mode.oracle.call("max_activation_derivative", name)
        case = CaseBuilder("max_activation_derivative", name)
        out = case.call(student, "max_activation_derivative", name, arg_names=("name",))
        if out is not None:
            v = case.number(f"max {name}'", out.value, expected, FORWARD_TOL)
            if not v.ok:
                v.message = (f"`max_activation_derivative('{name}')` is wrong: find where {name}'s "
                             "derivative is largest and evaluate it there")
        results.append(case.result())
    for name in ("softmax", "gelu"):
        results.append(raises_case(student, "max_activation_derivative", f"ValueError for '{name}'",
                                   (name,), ("name",), "raises-on-unknown-name"))
    return results


CHECKS = {"chain_product": check_chain_product, "max_activation_derivative": check_max_activation_derivative}
