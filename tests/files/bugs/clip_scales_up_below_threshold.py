"""clip_grad_norm always rescales to max_norm, so small gradients are scaled up.

expect: q6
hint: unchanged
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    scale = max_norm / total_norm
    return {k: g * scale for k, g in grads.items()}, total_norm
