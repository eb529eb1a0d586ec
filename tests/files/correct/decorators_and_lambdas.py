"""Contract functions that are not plain defs: a lambda, a functools.partial, functions under a shape-checking decorator (functools.wraps) and a sigmoid under @np.errstate(over="ignore").

expect: none
"""

import functools

chain_product = lambda factors: float(np.prod(factors))  # noqa: E731


def check_shapes(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        out = fn(*args)
        assert out[0].shape[0] == args[0].shape[0], "batch size changed"
        return out
    return wrapper


@np.errstate(over="ignore")
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@check_shapes
def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h_next = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)


@check_shapes
def rnn_forward(x, h0, W_xh, W_hh, b_h):
    h, caches = np.zeros((x.shape[0], x.shape[1], h0.shape[1])), []
    for t in range(x.shape[1]):
        h[:, t], c = rnn_step_forward(x[:, t], h[:, t - 1] if t else h0, W_xh, W_hh, b_h)
        caches.append(c)
    return h, caches


def _clip(grads, limit, mode):
    if limit <= 0:
        raise ValueError(f"{mode} limit must be positive")
    return {k: np.clip(g, -limit, limit) for k, g in grads.items()}


clip_grad_value = functools.partial(_clip, mode="value")
