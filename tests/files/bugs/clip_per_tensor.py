"""clip_grad_norm clips each array by its own norm instead of by the global norm of all of them.

expect: q6
hint: global
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    clipped = {}
    norms = []
    for k, g in grads.items():
        n = np.linalg.norm(g)
        norms.append(n)
        clipped[k] = g * (max_norm / n) if n > max_norm else g.copy()
    total_norm = float(np.sqrt(np.sum(np.square(norms))))
    if not np.isfinite(total_norm):
        raise ValueError("gradient norm is not finite")
    return clipped, total_norm
