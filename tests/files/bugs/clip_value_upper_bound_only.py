"""clip_grad_value only caps large positive values: np.minimum(g, clip_value).

expect: q6
hint: both sides
"""


def clip_grad_value(grads, clip_value):
    if clip_value <= 0:
        raise ValueError("clip_value must be positive")
    return {k: np.minimum(g, clip_value) for k, g in grads.items()}
