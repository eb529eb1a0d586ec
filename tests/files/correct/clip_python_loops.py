"""Clipping with plain Python accumulation of squares and a copy of the dict; clip_grad_value with np.maximum/np.minimum.

expect: none
"""

import math


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0 or math.isnan(max_norm):
        raise ValueError("max_norm must be positive")
    squares = 0.0
    for g in grads.values():
        squares += float(np.sum(np.square(g)))
    total_norm = math.sqrt(squares)
    if math.isnan(total_norm) or math.isinf(total_norm):
        raise ValueError("gradient norm is not finite")
    clipped = {}
    for name, g in grads.items():
        if total_norm > max_norm:
            clipped[name] = g * (max_norm / total_norm)
        else:
            clipped[name] = np.array(g, copy=True)
    return clipped, total_norm


def clip_grad_value(grads, clip_value):
    if clip_value <= 0:
        raise ValueError("clip_value must be positive")
    return {name: np.maximum(np.minimum(g, clip_value), -clip_value) for name, g in grads.items()}
