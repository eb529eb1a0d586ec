"""clip_grad_norm with the squared norm as np.dot of the flattened arrays and the scale applied with np.multiply; clip_grad_value with np.where twice.

expect: none
"""


def clip_grad_norm(grads, max_norm):
    if not max_norm > 0:
        raise ValueError("max_norm must be > 0")
    flat = np.hstack([np.asarray(g).reshape(-1) for g in grads.values()])
    total_norm = float(np.sqrt(np.dot(flat, flat)))
    if total_norm != total_norm or total_norm == float("inf"):
        raise ValueError("the gradients are not finite")
    factor = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    return {k: np.multiply(g, factor) for k, g in grads.items()}, total_norm


def clip_grad_value(grads, clip_value):
    if clip_value <= 0:
        raise ValueError("clip_value must be > 0")
    out = {}
    for k, g in grads.items():
        c = np.where(g > clip_value, clip_value, g)
        out[k] = np.where(c < -clip_value, -clip_value, c)
    return out
