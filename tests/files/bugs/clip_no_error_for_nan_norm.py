"""clip_grad_norm returns NaN gradients unchanged (NaN > max_norm is False) instead of raising ValueError.

expect: q6
hint: not finite
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if total_norm > max_norm:
        return {k: g * (max_norm / total_norm) for k, g in grads.items()}, total_norm
    return {k: g.copy() for k, g in grads.items()}, total_norm
