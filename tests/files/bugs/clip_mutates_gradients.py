"""clip_grad_norm scales the caller's arrays in place and returns the same dict.

expect: q6
hint: in place
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    if total_norm > max_norm:
        for k in grads:
            grads[k] *= max_norm / total_norm
    return grads, total_norm
