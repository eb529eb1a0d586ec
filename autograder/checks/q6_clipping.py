"""q6: gradient clipping by global norm and by value."""

import functools

import numpy as np

from ..spec import GRADIENT_TOL
from . import oracle
from .common import CaseBuilder, raises_case


def _grads(name):
    """A dict of gradients of several shapes; 'large' ones have a global norm far above 1."""
    return _grads_of(name, oracle.current().profile)


@functools.lru_cache(maxsize=None)
def _grads_of(name, profile):
    rng = profile.rng("clip", name)
    scale = {"small": 0.05, "large": 4.0, "huge": 1e3}[name]
    return {
        "W_hh": scale * rng.standard_normal((4, 4)),
        "W_xh": scale * rng.standard_normal((4, 3)),
        "b_h": 0.1 * scale * rng.standard_normal(4),
    }


def _dict_verdicts(case, got, expected):
    if not isinstance(got, dict) or set(got) != set(expected):
        case.check(False, "`clipped` should be a dict with the same keys as grads", behaviour_failed="clipped")
        return False
    return all([case.array(f"clipped['{k}']", got[k], e, GRADIENT_TOL).ok for k, e in expected.items()])


def _norm_case(student, name, grads_name, max_norm):
    grads = _grads(grads_name)
    exp_clipped, exp_norm = oracle.current().oracle.call("clip_grad_norm", grads, max_norm)
    case = CaseBuilder("clip_grad_norm", name, behaviour=None)
    out = case.call(student, "clip_grad_norm", grads, max_norm, arg_names=("grads", "max_norm"))
    if out is not None:
        values = case.unpack(out.value, ("clipped", "total_norm"))
        if values is not None:
            v = case.number("total_norm", values["total_norm"], exp_norm, GRADIENT_TOL)
            if not v.ok:
                v.message += "; total_norm is the global norm before clipping"
            right = _dict_verdicts(case, values["clipped"], exp_clipped)
            if right is False and exp_norm > max_norm:
                _direction_and_norm(case, values["clipped"], grads, max_norm)
            elif right is False:                 # evidence for the hint: wrong where nothing is clipped
                case.r.behaviour = "unchanged-below-max"
    return case.result()


def _direction_and_norm(case, clipped, grads, max_norm):
    """Explain a wrong clip: did it keep the direction, and is the norm max_norm?"""
    if not isinstance(clipped, dict) or set(clipped) != set(grads):
        return
    try:
        a = np.concatenate([np.ravel(np.asarray(clipped[k], dtype=np.float64)) for k in grads])
    except (TypeError, ValueError):
        return
    g = np.concatenate([np.ravel(grads[k]) for k in grads])
    if a.shape != g.shape or not np.all(np.isfinite(a)) or not np.any(a):
        return
    cosine = float(a @ g / (np.linalg.norm(a) * np.linalg.norm(g)))
    if cosine < 1 - 1e-9:
        case.r.messages.append("the clipped gradients point in another direction than the original ones "
                               "(cosine below 1): clipping by norm must scale all arrays by one common factor")
        case.r.behaviour = "keeps-direction"
    elif abs(np.linalg.norm(a) - max_norm) > 1e-6 * max_norm:
        case.r.messages.append("the clipped gradients keep their direction but their global norm is not max_norm")
        case.r.behaviour = "norm-equals-max"


def check_clip_grad_norm(student):
    results = [_norm_case(student, name, kind, max_norm)
               for name, kind, max_norm in oracle.current().profile.clip_norm_cases]
    for name, args in (("max_norm = 0", (_grads("large"), 0.0)),
                       ("a negative max_norm", (_grads("large"), -1.0)),
                       ("gradients holding inf", ({**_grads("large"), "b_h": np.array([np.inf, 0.0, 1.0, 2.0])},
                                                  1.0)),
                       ("gradients holding NaN", ({**_grads("large"), "b_h": np.array([np.nan, 0.0, 1.0, 2.0])},
                                                  1.0))):
        behaviour = "raises-on-nonfinite" if "gradients" in name else "raises-on-nonpositive"
        results.append(raises_case(student, "clip_grad_norm", f"ValueError for {name}", args,
                                   ("grads", "max_norm"), behaviour))
    return results


def check_clip_grad_value(student):
    results = []
    for name, grads_name, clip_value in oracle.current().profile.clip_value_cases:
        grads = _grads(grads_name)
        expected = oracle.current().oracle.call("clip_grad_value", grads, clip_value)
        case = CaseBuilder("clip_grad_value", name)
        out = case.call(student, "clip_grad_value", grads, clip_value, arg_names=("grads", "clip_value"))
        if out is not None:
            _dict_verdicts(case, out.value, expected)
        results.append(case.result())
    for name, value in (("clip_value = 0", 0.0), ("a negative clip_value", -0.5)):
        results.append(raises_case(student, "clip_grad_value", f"ValueError for {name}",
                                   (_grads("large"), value), ("grads", "clip_value"), "raises-on-nonpositive"))
    return results


CHECKS = {"clip_grad_norm": check_clip_grad_norm, "clip_grad_value": check_clip_grad_value}
