"""Functions that return numpy float64 scalars where SPEC.md says float: chain_product via functools.reduce from np.float64(1), max_activation_derivative from an array lookup, decay_rate via np.linalg.lstsq, clip_grad_norm's total from np.linalg.norm.

expect: none
"""

import functools
import operator


def chain_product(factors):
    return functools.reduce(operator.mul, factors, np.float64(1.0))


_NAMES = ["tanh", "sigmoid", "relu"]
_PEAK_VALUES = np.array([1.0, 0.25, 1.0])


def max_activation_derivative(name):
    if name not in _NAMES:
        raise ValueError("unknown activation " + repr(name))
    return _PEAK_VALUES[_NAMES.index(name)]


def decay_rate(norms):
    norms = np.asarray(norms, dtype=float)
    if norms.size < 2:
        raise ValueError("need at least two norms")
    if np.any(~np.isfinite(norms)) or np.any(norms <= 0):
        raise ValueError("norms must be positive and finite")
    k = np.arange(norms.size)[::-1].astype(float)
    A = np.stack([k, np.ones_like(k)], axis=1)
    coef, *_ = np.linalg.lstsq(A, np.log(norms), rcond=None)
    return np.exp(coef[0])


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be > 0")
    total_norm = np.linalg.norm([np.linalg.norm(g) for g in grads.values()])
    if not np.isfinite(total_norm):
        raise ValueError("non-finite gradient norm")
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total_norm
