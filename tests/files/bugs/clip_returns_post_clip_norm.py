"""clip_grad_norm returns the norm after clipping instead of before.

expect: q6
hint: before clipping
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    if total_norm > max_norm:
        grads = {k: g * (max_norm / total_norm) for k, g in grads.items()}
        total_norm = max_norm
    else:
        grads = {k: g.copy() for k, g in grads.items()}
    return grads, total_norm
