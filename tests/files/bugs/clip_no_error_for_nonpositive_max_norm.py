"""clip_grad_norm accepts max_norm <= 0 (and returns zero or flipped gradients) instead of raising ValueError.

expect: q6
hint: max_norm <= 0
"""


def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total_norm
