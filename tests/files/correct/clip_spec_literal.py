"""clip_grad_norm written from SPEC.md's words: ValueError "when max_norm <= 0 or the total norm is not finite", total_norm as a numpy float64.

expect: none
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if not np.isfinite(total_norm):
        raise ValueError("the total gradient norm is not finite")
    if total_norm > max_norm:
        return {k: g * (max_norm / total_norm) for k, g in grads.items()}, total_norm
    return {k: g.copy() for k, g in grads.items()}, total_norm
