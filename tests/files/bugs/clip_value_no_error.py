"""clip_grad_value accepts clip_value <= 0 instead of raising ValueError.

expect: q6
hint: clip_value <= 0
"""


def clip_grad_value(grads, clip_value):
    return {k: np.clip(g, -abs(clip_value), abs(clip_value)) for k, g in grads.items()}
