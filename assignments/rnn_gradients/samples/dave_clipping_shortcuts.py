"""Clips every array by its own norm, in place, and clip_grad_value only caps from above.

expect: q6
hint: global
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = 0.0
    for name in grads:
        norm = np.linalg.norm(grads[name])
        total_norm += norm ** 2
        if norm > max_norm:
            grads[name] *= max_norm / norm
    total_norm = float(np.sqrt(total_norm))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    return grads, total_norm


def clip_grad_value(grads, clip_value):
    if clip_value <= 0:
        raise ValueError("clip_value must be positive")
    return {name: np.minimum(g, clip_value) for name, g in grads.items()}
