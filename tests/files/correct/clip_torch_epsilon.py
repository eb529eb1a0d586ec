"""clip_grad_norm as PyTorch writes it: coefficient max_norm / (total + 1e-6), clamped at 1 and always applied.

expect: none
"""


def clip_grad_norm(grads, max_norm):
    if not max_norm > 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.linalg.norm(np.concatenate([np.ravel(g) for g in grads.values()])))
    if not np.isfinite(total_norm):
        raise ValueError("total norm is not finite")
    coef = min(max_norm / (total_norm + 1e-6), 1.0)
    return {name: g * coef for name, g in grads.items()}, total_norm
