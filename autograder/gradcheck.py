"""Numerical gradients by central differences, and relative errors.

Everything here is float64 and works on copies: the caller's arrays are never
perturbed, even for a moment (a student function that keeps a reference to
its input must not see it change).

Conventions: a "loss" is a callable returning a Python float; for a function
f with array output, the scalar loss used is L = sum(f(...) * dout), whose
gradient is what a backward pass given upstream gradient ``dout`` returns.
"""

import numpy as np

DEFAULT_STEP = 1e-5


def rel_error(a, b):
    """Relative error as CS231n defines it, elementwise, worst element.

    max over elements of |a - b| / max(1e-8, |a| + |b|). Shapes must agree
    exactly (no broadcasting): a (3, 1) array is not compared with a (1, 3).
    NaN or inf anywhere gives inf.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(loss, x, h=DEFAULT_STEP):
    """Central-difference gradient of a scalar function of one array.

    Inputs:
    - loss: callable taking an array shaped like x, returning a float
    - x: the point, any shape
    - h: step

    Returns:
    - array shaped like x: (loss(x + h e_i) - loss(x - h e_i)) / (2h) per element
    """
    x = np.array(x, dtype=np.float64)          # our own copy
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = loss(x.copy())
        x[idx] = old - h
        minus = loss(x.copy())
        x[idx] = old
        grad[idx] = (plus - minus) / (2.0 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=DEFAULT_STEP):
    """Gradient of L = sum(f(x) * dout) with respect to the array x.

    Inputs:
    - f: callable taking an array shaped like x, returning an array shaped like dout
    - x: any shape; dout: upstream gradient, f(x)'s shape
    """
    return numerical_gradient(lambda v: float(np.sum(f(v) * dout)), x, h)


def numerical_gradients(loss, arrays, h=DEFAULT_STEP):
    """Central-difference gradients of a scalar function of a dict of arrays.

    Inputs:
    - loss: callable taking a dict {name: array} (fresh copies), returning a float
    - arrays: dict {name: array}, the point

    Returns:
    - dict {name: gradient array of that entry's shape}
    """
    point = {name: np.array(a, dtype=np.float64) for name, a in arrays.items()}
    grads = {}
    for name in point:
        def loss_of_one(v, name=name):
            # Fresh copies of the other entries too: a loss that modifies its
            # inputs must not shift the point for the next evaluation.
            return loss({**{k: a.copy() for k, a in point.items()}, name: v})
        grads[name] = numerical_gradient(loss_of_one, point[name], h)
    return grads


def random_unit_direction(arrays, rng):
    """A random direction over all entries of a dict of arrays, of unit norm.

    Returns a dict {name: array} of the same shapes whose joint L2 norm is 1.
    """
    u = {name: rng.standard_normal(np.shape(a)) for name, a in arrays.items()}
    norm = np.sqrt(sum(float(np.sum(v ** 2)) for v in u.values()))
    return {name: v / norm for name, v in u.items()}


def directional_check(loss, arrays, grads, rng, h=DEFAULT_STEP):
    """Fast check of an analytic gradient along one random direction.

    As in torch.autograd.gradcheck's fast mode: for a random unit direction u
    over every entry of ``arrays`` together, compare the central difference
    (loss(p + h u) - loss(p - h u)) / (2h) with sum(grads * u). Two loss
    evaluations instead of two per element.

    Inputs:
    - loss: callable taking a dict {name: array} (fresh copies), returning a float
    - arrays: dict {name: array}, the point
    - grads: dict {name: array}, the analytic gradient of loss at that point
    - rng: numpy Generator choosing u

    Returns a tuple (numeric, analytic) of floats.
    """
    u = random_unit_direction(arrays, rng)
    plus = {name: np.asarray(a, dtype=np.float64) + h * u[name] for name, a in arrays.items()}
    minus = {name: np.asarray(a, dtype=np.float64) - h * u[name] for name, a in arrays.items()}
    numeric = (loss(plus) - loss(minus)) / (2.0 * h)
    analytic = sum(float(np.sum(np.asarray(grads[name], dtype=np.float64) * u[name])) for name in arrays)
    return float(numeric), float(analytic)
