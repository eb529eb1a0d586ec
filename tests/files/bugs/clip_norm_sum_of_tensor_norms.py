"""clip_grad_norm adds the per-array norms instead of taking the L2 norm of all elements together.

expect: q6
hint: L2 norm of all
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(sum(np.linalg.norm(g) for g in grads.values()))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total_norm
