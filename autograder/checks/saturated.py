"""Numerically robust: the forward and backward passes at saturated pre-activations.

tanh written as (1 - exp(-2a)) / (1 + exp(-2a)) returns NaN below about
a = -354, a sigmoid written as exp(a) / (1 + exp(a)) above a = 709: no
ordinary case reaches that range. One more case per function, on inputs
whose hidden units have weights scaled by gains up to 1e3
(cases.saturate), so the pre-activations reach about +-1e3. There tanh and
sigmoid are exactly +-1, 0 or 1, and their derivatives exactly 0 (the
answer key computes them without a numpy warning). A failure says how to
write the activations so that nothing overflows.
"""

import dataclasses
import functools

from ..cases import Sizes, saturate
from ..compare import Verdict
from ..spec import CONSISTENT_BACKWARD_CREDIT
from . import oracle
from .layers import check_backward, check_forward

STEP_SIZES = Sizes(N=4, T=1, D=3, H=6)
SEQUENCE_SIZES = Sizes(N=4, T=5, D=3, H=6)
BEHAVIOUR = "saturation-safe"
CASE_NAME = "saturated: pre-activations up to about +-1e3"
WHERE = "when the pre-activations are as large as about +-1000"
HINT = ("exp of a large positive number overflows there: use np.tanh for tanh, and a sigmoid that never "
        "exponentiates a large positive number (for example exp(-|a|) in both branches of np.where)")


@functools.lru_cache(maxsize=None)
def saturated_layer(layer):
    """The same Layer with saturated inputs (one object per layer, so its reference is cached)."""
    make = layer.make_inputs
    return dataclasses.replace(layer, make_inputs=lambda rng, s: saturate(make(rng, s)))


def case_sizes(layer):
    return SEQUENCE_SIZES if layer.sequence else STEP_SIZES


def _saturated_case(student, layer, check, others):
    """One saturated case. Its wrong outputs become one behaviour verdict that
    says what went wrong at saturation (the fraction is already computed from
    the outputs), so output-level hints meant for ordinary inputs stay out."""
    (case,) = check(student, saturated_layer(layer), shapes=(case_sizes(layer),))
    case.name = CASE_NAME
    case.features = frozenset()           # not a shape: it takes no part in "fails only when ..."
    case.behaviour = BEHAVIOUR
    wrong = [v for v in case.verdicts if not v.ok]
    if wrong:
        case.verdicts = [Verdict(BEHAVIOUR, False, "values", _message(case, layer, wrong, others),
                                 tags={"behaviour"})]
        if _only_the_forward(case, layer, others):
            # right everywhere else, wrong here only through the forward's cache: one bug costs once
            case.fraction = max(case.fraction, CONSISTENT_BACKWARD_CREDIT)
    return case


def _only_the_forward(case, layer, others):
    return (case.function == layer.backward and case.forward_ok is False and case.status == "wrong"
            and all(c.status == "ok" for c in others))


def _message(case, layer, wrong, others):
    function = case.function
    outputs = ", ".join(f"`{v.output}`" for v in wrong[:3]) + (", ..." if len(wrong) > 3 else "")
    if function == layer.backward and case.forward_ok is False:
        return (f"`{function}` gets a wrong cache from your `{layer.forward}` {WHERE} "
                f"({outputs} wrong): fix `{layer.forward}` first")
    if any("not-finite" in v.tags for v in wrong):
        return f"`{function}` returns NaN or inf in {outputs} {WHERE}: {HINT}"
    if all(c.status == "ok" for c in others):
        return (f"`{function}` is right on ordinary inputs but {outputs} wrong {WHERE}, where tanh and "
                "sigmoid saturate (exactly -1, 0 or 1, with derivatives 0): look for an exp that overflows, "
                "a clip, or an approximation that breaks there")
    return f"`{function}` is also wrong {WHERE} ({outputs})"


def with_saturated(check, layer, backward=False):
    """A check followed by its saturated case (of the forward, or of the backward)."""
    generic = check_backward if backward else check_forward

    def checked(student):
        cases = check(student)
        if not oracle.current().profile.saturated:
            return cases
        return cases + [_saturated_case(student, layer, generic, cases)]
    checked.__name__ = getattr(check, "__name__", "check")
    checked.__doc__ = check.__doc__
    return checked
