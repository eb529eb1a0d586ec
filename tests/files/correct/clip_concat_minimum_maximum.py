"""clip_grad_norm from np.linalg.norm of the concatenated raveled arrays, always multiplying by a scale of 1 below the threshold; clip_grad_value via np.minimum(np.maximum(g, -c), c).

expect: none
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    flat = np.concatenate([g.ravel() for g in grads.values()])
    total_norm = np.linalg.norm(flat)
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is NaN or inf")
    scale = 1.0
    if total_norm > max_norm:
        scale = max_norm / total_norm
    clipped = {}
    for key in grads:
        clipped[key] = grads[key] * scale
    return clipped, float(total_norm)


def clip_grad_value(grads, clip_value):
    if clip_value <= 0:
        raise ValueError(f"clip_value must be positive, got {clip_value}")
    out = {}
    for key, g in grads.items():
        out[key] = np.minimum(np.maximum(g, -clip_value), clip_value)
    return out
