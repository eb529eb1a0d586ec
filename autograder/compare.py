"""Staged comparison of one student output with the expected one.

The stages follow PrairieLearn's feedback helpers: type, shape, dtype kind,
finiteness, values. The first stage that fails decides the message, which
names the output and says how it is wrong, never what the expected values
are. When values are wrong, a few cheap tests look for a pattern a student
can act on: the sign flipped, a constant factor such as N or T, a
transpose, or errors confined to some time steps.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

from .gradcheck import rel_error
from .spec import DTYPE_VALUE_TOL


@dataclass
class Verdict:
    """The result of comparing one output.

    - output: its name ("dW_hh", "grads['W_f']", "h")
    - ok: passed every stage; also an array of another float dtype (float32)
      whose values are right at DTYPE_VALUE_TOL: then stage is "dtype", the
      message says so, tags hold "not-float64", and the function pays
      DTYPE_PENALTY once (grading.grade_function)
    - stage: "ok", "type", "shape", "dtype", "finite" or "values"
    - message: student-facing sentence ("" when ok)
    - error: the relative error at the values stage (0 when ok)
    - tags: pattern tags (see findings.Finding.patterns)
    """
    output: str
    ok: bool
    stage: str = "ok"
    message: str = ""
    error: float = 0.0
    tags: set = field(default_factory=set)


def _type_name(value):
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def is_float_array(value, shape=None):
    """A finite float64 ndarray (of the given shape): safe for arithmetic."""
    return (isinstance(value, np.ndarray) and value.dtype == np.float64
            and (shape is None or value.shape == tuple(shape)) and bool(np.all(np.isfinite(value))))


def as_float64(value, shape=None):
    """A finite real float ndarray (of the given shape) as float64, else None.

    For comparisons that must not care whether a student's array is float32.
    """
    if not (isinstance(value, np.ndarray) and value.dtype.kind == "f"
            and (shape is None or value.shape == tuple(shape))):
        return None
    value = value.astype(np.float64, copy=False)
    return value if bool(np.all(np.isfinite(value))) else None


def _numbers_as_array(value, shape):
    """A (nested) list or tuple of real numbers with the given shape, as float64; else None."""
    if not isinstance(value, (list, tuple)):
        return None
    try:
        items = np.array(value, dtype=object)
    except (ValueError, TypeError):
        return None
    if items.shape != tuple(shape) or not all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in items.flat):
        return None
    try:
        values = items.astype(np.float64)
    except (OverflowError, ValueError, TypeError):
        return None
    return values if bool(np.all(np.isfinite(values))) else None


def check_array(output, actual, expected, tol, *, sizes=None, time_axis=None):
    """Compare an array output in stages.

    Inputs:
    - output: the output's name, used in messages
    - actual: what the student returned
    - expected: the reference array
    - tol: largest relative error accepted
    - sizes: dict of the case's sizes (N, T, D, H) to name constant factors
    - time_axis: for sequence outputs (N, T, ...), the axis of time

    Returns a Verdict.
    """
    if not isinstance(actual, np.ndarray):
        listed = _numbers_as_array(actual, expected.shape)
        if listed is not None:
            with np.errstate(all="ignore"):
                err = rel_error(listed, expected)
            if err <= tol:          # right values in a list: the same fixed share as a float32 array
                return Verdict(output, True, "dtype",
                               f"`{output}` is a {_type_name(actual)} of numbers, not a numpy array; its "
                               "values are right; return a float64 array (e.g. `np.array(...)`)",
                               tags={"not-float64", "not-array"})
        return Verdict(output, False, "type",
                       f"`{output}` should be a numpy array, got {_type_name(actual)}", tags={"type"})
    if actual.shape != expected.shape:
        tags = {"shape"}
        if actual.shape == expected.shape[::-1] and actual.ndim == 2:
            tags.add("transpose")
        if time_axis is not None and actual.ndim == expected.ndim and actual.shape[time_axis] == \
                expected.shape[time_axis] + 1 and np.delete(actual.shape, time_axis).tolist() == \
                np.delete(expected.shape, time_axis).tolist():
            tags.add("extra-time-step")         # e.g. h0 stored along with h_1 .. h_T
        return Verdict(output, False, "shape",
                       f"`{output}` has shape {actual.shape}, expected {expected.shape}", tags=tags)
    if actual.dtype.kind != "f":
        return Verdict(output, False, "dtype",
                       f"`{output}` has dtype {actual.dtype}; it should hold float64 numbers", tags={"type"})
    if not np.all(np.isfinite(actual)):
        bad = "NaN" if np.any(np.isnan(actual)) else "inf"
        return Verdict(output, False, "finite", f"`{output}` contains {bad}", tags={"not-finite"})
    if actual.dtype != np.float64:
        return _check_other_float(output, actual, expected, tol, sizes, time_axis)
    with np.errstate(all="ignore"):             # huge values must not print warnings
        err = rel_error(actual, expected)
        if err <= tol:                          # "all-zero": right, but doing nothing is right here
            return Verdict(output, True, tags=set() if np.any(actual) else {"all-zero"})
        tags = value_patterns(actual, expected, tol, sizes or {}, time_axis)
    message = f"`{output}` is wrong: max relative error {err:.1e} (tolerance {tol:.0e})"
    described = describe_patterns(tags)
    if described:
        message += "; " + described
    return Verdict(output, False, "values", message, err, tags)


def _check_other_float(output, actual, expected, tol, sizes, time_axis):
    """A finite array of a float dtype other than float64 (float32, float16, longdouble).

    Its values are judged at DTYPE_VALUE_TOL; when they are right the verdict
    is ok but tagged "not-float64", and its function pays DTYPE_PENALTY once
    (grading.grade_function). The message says which dtype, whether the values
    are right, and to return float64.
    """
    dtype = actual.dtype.name
    what = f"`{output}` is {dtype} (a {dtype} buffer, or `.astype`?)"
    with np.errstate(all="ignore"):
        values = actual.astype(np.float64)
        err = rel_error(values, expected)
        if err <= tol:
            return Verdict(output, True, "dtype", f"{what}; its values are right; return float64",
                           tags={"not-float64"})
        if err <= DTYPE_VALUE_TOL:
            return Verdict(output, True, "dtype",
                           f"{what}; its values are right only to {dtype} precision (max relative error "
                           f"{err:.1e}, tolerance {tol:.0e}): compute in float64 and return float64",
                           err, {"not-float64"})
        tags = value_patterns(values, expected, DTYPE_VALUE_TOL, sizes or {}, time_axis) | {"not-float64"}
    message = (f"{what} and its values are wrong even at {dtype} precision: max relative error "
               f"{err:.1e} (tolerance {DTYPE_VALUE_TOL:.0e})")
    described = describe_patterns(tags)
    if described:
        message += "; " + described
    return Verdict(output, False, "values", message + "; return float64", err, tags)


def check_number(output, actual, expected, tol, *, measure="relative error"):
    """Compare a scalar output (a Python or numpy real number, or a 0-d array).

    measure: "relative error" (CS231n's, as for arrays), "absolute" (|a - e|,
    for SPEC.md's "within 1e-6 of the exact rate") or "percent" (|a - e| / |e|,
    for "within 5%"); the message prints the tolerance the same way.
    """
    if isinstance(actual, np.ndarray) and actual.shape == ():
        actual = actual[()]
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, numbers.Real):
        return Verdict(output, False, "type",
                       f"`{output}` should be a number, got {_type_name(actual)}", tags={"type"})
    try:
        actual = float(actual)
    except OverflowError:                       # a Python int beyond float range
        actual = float("inf")
    if not np.isfinite(actual):
        return Verdict(output, False, "finite", f"`{output}` is {actual}", tags={"not-finite"})
    expected = float(expected)
    with np.errstate(all="ignore"):
        if measure == "absolute":
            err = abs(actual - expected)
        elif measure == "percent":
            err = abs(actual - expected) / abs(expected) if expected else float(actual != 0) * np.inf
        else:
            err = rel_error(np.array(actual), np.array(expected))
    if err <= tol:
        return Verdict(output, True)
    tags = set()
    if expected != 0 and abs(actual * expected - 1.0) <= 1e-6:
        tags.add("inverse")
    if measure == "percent":
        how = f"off by {err:.1%} of the expected value (tolerance {tol:.0%})"
    elif measure == "absolute":
        how = f"off by {err:.1e} (tolerance {tol:.0e})"
    else:
        how = f"relative error {err:.1e} (tolerance {tol:.0e})"
    return Verdict(output, False, "values", f"`{output}` is wrong: {how}", err, tags)


_FACTORS = (("N", 1), ("T", 1), ("2", 2), ("H", 1))


def value_patterns(actual, expected, tol, sizes, time_axis):
    """Tags describing how a same-shape array differs from the expected one."""
    tags = set()
    loose = max(tol, 1e-6) * 10
    if not np.any(actual):
        tags.add("zero")
        return tags
    if rel_error(actual, expected) <= 1e-4:
        tags.add("near")
        return tags
    if rel_error(actual, -expected) <= loose:
        tags.add("sign")
        return tags
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and rel_error(actual, expected.T) <= loose:
        tags.add("transpose")
        return tags
    denom = float(np.sum(expected * expected))
    if denom > 0:
        ratio = float(np.sum(actual * expected)) / denom
        if ratio != 0 and rel_error(actual, ratio * expected) <= loose:
            tags.update(_name_factor(ratio, sizes))
            return tags
    if time_axis is not None and expected.shape[time_axis] > 1:
        T = expected.shape[time_axis]
        wrong = [rel_error(np.take(actual, t, axis=time_axis), np.take(expected, t, axis=time_axis)) > tol
                 for t in range(T)]
        if wrong == [False] * (T - 1) + [True]:
            tags.add("only-last-step")
        elif wrong == [True] * (T - 1) + [False]:
            tags.add("all-but-last-step")
        elif wrong == [True] + [False] * (T - 1):
            tags.add("only-first-step")
    return tags


def _name_factor(ratio, sizes):
    """Every name the factor could have: {'scale:N'}, {'scale:1/N', 'scale:1/2'} when N = 2,
    ... or {'scale:other'}. grading.find keeps the names every failing case agrees on."""
    candidates = {letter: float(sizes[letter]) for letter in ("N", "T", "H", "D") if sizes.get(letter, 1) > 1}
    candidates["2"] = 2.0
    names = set()
    for name, value in candidates.items():
        if abs(ratio - value) <= 1e-6 * value:
            names.add(f"scale:{name}")
        if abs(ratio - 1.0 / value) <= 1e-6 / value:
            names.add(f"scale:1/{name}")
    return names or {"scale:other"}


_PATTERN_TEXT = {
    "zero": "it is all zeros",
    "near": "it is close, but outside the tolerance",
    "sign": "it has the right size but the opposite sign",
    "transpose": "it looks transposed",
    "only-last-step": "only the last time step is wrong",
    "all-but-last-step": "every time step but the last is wrong",
    "only-first-step": "only the first time step is wrong",
    "scale:other": "it is off by a constant factor",
}


def describe_patterns(tags):
    """A short student-facing phrase for pattern tags ('' if none)."""
    phrases = [_PATTERN_TEXT[tag] for tag in sorted(tags) if tag in _PATTERN_TEXT]
    factors = sorted((t[6:] for t in tags if t.startswith("scale:") and t != "scale:other"),
                     key=lambda name: (name.endswith("2"), name))     # a size's letter before a plain 2
    if factors:
        same = f" (= {', '.join(factors[1:])} here)" if len(factors) > 1 else ""
        phrases.append(f"it is off by a factor of {factors[0]}{same}")
    return "; ".join(phrases)
