"""clip_grad_norm building a new dict by comprehension, with the norm as np.sqrt(sum(np.sum(g**2) ...)); clip_grad_value via np.clip in a comprehension.

expect: none
"""


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if np.isnan(total_norm) or np.isinf(total_norm):
        raise ValueError("gradients contain NaN or inf")
    if total_norm <= max_norm:
        return {name: np.copy(g) for name, g in grads.items()}, total_norm
    return {name: g * max_norm / total_norm for name, g in grads.items()}, total_norm


def clip_grad_value(grads, clip_value):
    if clip_value <= 0:
        raise ValueError("clip_value must be positive")
    return {name: np.clip(g, -clip_value, clip_value) for name, g in grads.items()}
