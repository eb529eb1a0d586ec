"""q3: gradient flow through time: the Jacobian, the norms, the decay rate."""

import functools

import numpy as np

from ..cases import Sizes, orthogonal, rnn_inputs
from ..spec import APPROX_RATE_REL_TOL, CONSISTENT_BACKWARD_CREDIT, EXACT_RATE_TOL, FORWARD_TOL, GRADIENT_TOL
from ..compare import as_float64, check_array
from ..gradcheck import rel_error
from . import oracle
from .common import CaseBuilder, raises_case

JACOBIAN_ARGS = ("h_next", "W_hh")
NORMS_ARGS = ("x", "h0", "W_xh", "W_hh", "b_h", "dh_T")


@functools.lru_cache(maxsize=None)
def _jacobian_case(sizes, mode):
    rng = mode.profile.rng("hidden_jacobian", sizes.name)
    h_next = np.tanh(rng.standard_normal((sizes.N, sizes.H)))
    W_hh = rng.standard_normal((sizes.H, sizes.H)) / np.sqrt(sizes.H)
    return (h_next, W_hh), mode.oracle.call("hidden_jacobian", h_next, W_hh)


def check_hidden_jacobian(student):
    results = []
    mode = oracle.current()
    for sizes in mode.profile.shapes:
        args, expected = _jacobian_case(sizes, mode)
        case = CaseBuilder("hidden_jacobian", sizes.name, features=sizes.features)
        out = case.call(student, "hidden_jacobian", *args, arg_names=JACOBIAN_ARGS)
        if out is not None:
            case.array("J", out.value, expected, FORWARD_TOL, sizes=sizes.as_dict())
        results.append(case.result())
    return results


@functools.lru_cache(maxsize=None)
def _norms_case(sizes, mode):
    rng = mode.profile.rng("gradient_norms_through_time", sizes.name)
    inputs = rnn_inputs(rng, sizes, sequence=True)
    args = (inputs["x"], inputs["h0"], inputs["W_xh"], inputs["W_hh"], inputs["b_h"],
            rng.standard_normal((sizes.N, sizes.H)))
    return args, mode.oracle.call("gradient_norms_through_time", *args)


def _norms_ok(case, value, T):
    """Stages for a norms output (type, shape, dtype, finite); the array when usable.

    Passing these stages earns nothing by itself: only a failure is recorded.
    """
    v = check_array("norms", value, np.ones(T), np.inf)
    if not v.ok:
        case.r.verdicts.append(v)
        return None
    return value if isinstance(value, np.ndarray) else np.array(value, dtype=np.float64)   # a list of numbers


def check_gradient_norms_through_time(student):
    results = []
    mode = oracle.current()
    for sizes in mode.profile.shapes:
        args, expected = _norms_case(sizes, mode)
        case = CaseBuilder("gradient_norms_through_time", sizes.name, features=sizes.features)
        out = case.call(student, "gradient_norms_through_time", *args, arg_names=NORMS_ARGS)
        if out is not None:
            v = case.array("norms", out.value, expected, GRADIENT_TOL, sizes=sizes.as_dict(), time_axis=0)
            if not v.ok and v.stage == "values" and "zero" not in v.tags:
                _credit_if_chained(student, case, args, out.value, expected)
        results.append(case.result())
    results += [_exact_rate_case(student, a) for a in mode.profile.exact_norm_rates]
    results += [_ratio_bound_case(student, seed, gain) for seed, gain in enumerate(mode.profile.ratio_bound_gains)]
    return results


def _jacobian_ignores_W_hh(student, args):
    """Does the student's hidden_jacobian give the same J for another W_hh (an identity, a constant)?

    Chaining such a Jacobian is not a near miss and earns nothing.
    """
    h_next, W_hh = np.tanh(args[1]), args[3]          # a state of the right shape; args[1] is h0
    first, second = (student.call("hidden_jacobian", h_next, W) for W in (W_hh, 1.5 * W_hh + 0.25))
    if not (first.ok and second.ok):
        return False
    a, b = as_float64(first.value), as_float64(second.value)
    return a is not None and b is not None and a.shape == b.shape and bool(np.array_equal(a, b))


def _credit_if_chained(student, case, args, norms, expected):
    """Wrong norms that are right for the student's own (wrong) rnn_forward or
    hidden_jacobian keep part of their points: that bug is charged there."""
    if not oracle.current().profile.chained:
        return                                   # chained.py: the hidden checks only
    from .chained import chained_norms
    chained = chained_norms(student, args)
    if chained is None or rel_error(chained, expected) <= GRADIENT_TOL or _jacobian_ignores_W_hh(student, args):
        return
    if rel_error(norms, chained) <= GRADIENT_TOL:
        case.give_credit("norms", CONSISTENT_BACKWARD_CREDIT)
        case.r.consistent = True
        case.r.messages.append("`gradient_norms_through_time` matches what your `rnn_forward` and "
                               "`hidden_jacobian` give when chained, so it is off only because one of them is: "
                               "fix that first; it keeps part of its points")


def _exact_rate_case(student, a, sizes=Sizes(N=3, T=10, D=2, H=4)):
    """x = 0, h0 = 0, b_h = 0, W_hh = a*Q: the norms shrink or grow by exactly a per step.

    The answer key's decay_rate is asked about the student's own norms, so
    this case cannot be replayed from recorded data: the hidden profile only.
    """
    mode = oracle.current()
    rng = mode.profile.rng("gradient_norms_through_time", "exact", a)
    N, T, D, H = sizes.N, sizes.T, sizes.D, sizes.H
    args = (np.zeros((N, T, D)), np.zeros((N, H)), rng.standard_normal((H, D)),
            a * orthogonal(rng, H), np.zeros(H), rng.standard_normal((N, H)))
    case = CaseBuilder("gradient_norms_through_time", f"x = 0, W_hh = {a} * orthogonal",
                       behaviour="decay-rate-exact")
    out = case.call(student, "gradient_norms_through_time", *args, arg_names=NORMS_ARGS)
    if out is not None:
        norms = _norms_ok(case, out.value, T)
        if norms is not None:
            expected = mode.oracle.call("gradient_norms_through_time", *args)
            case.r.curves = {f"yours, W_hh = {a} Q": [float(v) for v in norms],
                             f"expected, rate {a}": [float(v) for v in expected]}
            ok = np.all(norms > 0) and abs(mode.oracle.call("decay_rate", norms) - a) <= EXACT_RATE_TOL
            case.check(ok, f"with x = 0, h0 = 0 and W_hh = {a} times an orthogonal matrix every step back "
                           f"should multiply the norm by exactly {a}, and your norms do not",
                       behaviour_failed="decay-rate-exact")
    return case.result()


def _ratio_bound_case(student, seed, gain, sizes=Sizes(N=2, T=12, D=3, H=5)):
    """On any inputs, one step back multiplies the norm by at most sigma_max(W_hh) (tanh' <= 1).

    With gain 1.5, sigma_max is above 1 (the norms may grow, but only so fast);
    with gain 0.5 it is below 1 (about 0.8 here): the norms must shrink at every
    step, which norms that stay constant do not.
    """
    rng = oracle.current().profile.rng("gradient_norms_through_time", "bound", seed)
    N, T, D, H = sizes.N, sizes.T, sizes.D, sizes.H
    W_hh = gain * rng.standard_normal((H, H)) / np.sqrt(H)
    args = (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)),
            rng.standard_normal((H, D)), W_hh, rng.standard_normal(H), rng.standard_normal((N, H)))
    sigma_max = np.linalg.norm(W_hh, 2)
    case = CaseBuilder("gradient_norms_through_time", f"random inputs, bound {seed}",
                       behaviour="ratio-bounded")
    out = case.call(student, "gradient_norms_through_time", *args, arg_names=NORMS_ARGS)
    if out is not None:
        norms = _norms_ok(case, out.value, T)
        if norms is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios = norms[:-1] / norms[1:]
            ok = bool(np.all(norms > 0) and np.all(ratios <= sigma_max * (1 + 1e-9)))
            case.check(ok, "one step back can multiply the gradient norm by at most the largest singular "
                           f"value of W_hh (tanh' <= 1), {'above' if sigma_max > 1 else 'below'} 1 here, but "
                           "one of your steps multiplies it by more",
                       behaviour_failed="ratio-bounded")
    return case.result()


def _decay_cases(mode):
    """(name, norms, expected rate, tolerance) for decay_rate: an exact rate where
    the norms are geometric, else the answer key's rate within 5%."""
    rng = mode.profile.rng("decay_rate", "noise")
    cases = [(name, make(rng), rate) for name, make, rate in mode.profile.decay_cases]
    return [(name, norms, rate, EXACT_RATE_TOL) if rate is not None
            else (name, norms, mode.oracle.call("decay_rate", norms), APPROX_RATE_REL_TOL)
            for name, norms, rate in cases]


def check_decay_rate(student):
    results = []
    for name, norms, rate, tol in _decay_cases(oracle.current()):
        case = CaseBuilder("decay_rate", name, behaviour=None if tol == EXACT_RATE_TOL else "least-squares")
        out = case.call(student, "decay_rate", norms, arg_names=("norms",))
        if out is not None:
            # SPEC.md: "within 1e-6 of the exact rate", else "within 5%"
            v = case.number("rate", out.value, rate, tol,
                            measure="absolute" if tol == EXACT_RATE_TOL else "percent")
            if not v.ok and tol != EXACT_RATE_TOL:
                v.tags.add("not-least-squares")
                v.message += ("; for norms that are not exactly geometric, the rate is the exponential "
                              "of the least-squares slope of log(norms) against steps back")
        results.append(case.result())
    for name, norms in (("one norm", np.array([1.0])), ("a zero norm", np.array([1.0, 0.0, 0.5])),
                        ("a negative norm", np.array([0.3, -0.2, 0.1]))):
        results.append(raises_case(student, "decay_rate", f"ValueError for {name}", (norms,),
                                    ("norms",), "raises-on-bad-norms"))
    return results


CHECKS = {
    "hidden_jacobian": check_hidden_jacobian,
    "gradient_norms_through_time": check_gradient_norms_through_time,
    "decay_rate": check_decay_rate,
}
