"""clip_grad_norm clamps every element to [-max_norm, max_norm] instead of rescaling by the norm.

expect: q6
hint: direction
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, total_norm
