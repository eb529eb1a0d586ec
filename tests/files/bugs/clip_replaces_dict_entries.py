"""clip_grad_norm assigns the scaled arrays back into the caller's dict (grads[k] = grads[k] * s).

The arrays themselves are untouched, but the caller's dict now holds other
arrays: the feedback must say the dict it was given changed (not "in place").

expect: q6
hint: changed the dict `grads` it was given
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    if total_norm > max_norm:
        for k in grads:
            grads[k] = grads[k] * (max_norm / total_norm)
    return grads, total_norm
