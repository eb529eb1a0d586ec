"""Part 5: gradient clipping, the standard cure for exploding gradients.

Clipping by the global norm rescales every gradient by the same factor, so
the update keeps its direction and only its length is capped. Clipping by
value clamps each element and in general changes the direction.
"""

import numpy as np


def _global_norm(grads):
    """L2 norm of all arrays of a dict taken together, without overflow.

    Squaring elements near 1e200 would overflow to inf although the norm is
    finite, so the elements are divided by the largest magnitude first.
    """
    largest = max((float(np.max(np.abs(g))) for g in grads.values() if np.size(g)), default=0.0)
    if largest == 0.0 or not np.isfinite(largest):
        return largest
    squares = sum(float(np.sum((g / largest) ** 2)) for g in grads.values())
    return largest * float(np.sqrt(squares))


def clip_grad_norm(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is at most max_norm.

    Inputs:
    - grads: dict mapping names to arrays of any shapes
    - max_norm: positive float

    Returns a tuple of:
    - clipped: a new dict with new arrays of the same shapes; each is
      grads[k] * (max_norm / total_norm) when total_norm > max_norm and an
      unchanged copy of grads[k] otherwise
    - total_norm: float, the global norm before clipping

    Raises ValueError if max_norm <= 0 or the global norm is not finite.
    The input dict and its arrays are never modified.
    """
    if not max_norm > 0:                       # also rejects NaN
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    total_norm = _global_norm(grads)
    if not np.isfinite(total_norm):
        raise ValueError(f"the total gradient norm is not finite ({total_norm})")
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    clipped = {name: g * scale for name, g in grads.items()}
    return clipped, total_norm


def clip_grad_value(grads, clip_value):
    """Clamp every gradient element to [-clip_value, clip_value].

    Inputs:
    - grads: dict mapping names to arrays of any shapes
    - clip_value: positive float

    Returns:
    - clipped: a new dict with new arrays of the same shapes

    Raises ValueError if clip_value <= 0. The inputs are never modified.
    """
    if not clip_value > 0:
        raise ValueError(f"clip_value must be positive, got {clip_value}")
    return {name: np.clip(g, -clip_value, clip_value) for name, g in grads.items()}
