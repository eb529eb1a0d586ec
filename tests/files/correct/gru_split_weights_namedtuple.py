"""GRU that splits each W into its hidden and input blocks instead of concatenating, with namedtuple caches.

expect: none
"""

from collections import namedtuple

GRUCache = namedtuple("GRUCache", "x h_prev z r h_tilde params")


def gru_step_forward(x, h_prev, params):
    H = h_prev.shape[1]
    Wz_h, Wz_x = params["W_z"][:, :H], params["W_z"][:, H:]
    Wr_h, Wr_x = params["W_r"][:, :H], params["W_r"][:, H:]
    Wh_h, Wh_x = params["W_h"][:, :H], params["W_h"][:, H:]
    z = sigmoid(h_prev @ Wz_h.T + x @ Wz_x.T + params["b_z"])
    r = sigmoid(h_prev @ Wr_h.T + x @ Wr_x.T + params["b_r"])
    h_tilde = np.tanh((r * h_prev) @ Wh_h.T + x @ Wh_x.T + params["b_h"])
    h_next = h_prev + z * (h_tilde - h_prev)
    return h_next, GRUCache(x, h_prev, z, r, h_tilde, params)


def gru_step_backward(dh_next, cache):
    x, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[1]
    dz = dh_next * (h_tilde - h_prev)
    dh_prev = dh_next * (1 - z)
    da_h = dh_next * z * (1 - h_tilde ** 2)
    rh = r * h_prev
    grads = {"W_h": np.hstack([da_h.T @ rh, da_h.T @ x]), "b_h": da_h.sum(axis=0)}
    drh = da_h @ params["W_h"][:, :H]
    dx = da_h @ params["W_h"][:, H:]
    dh_prev = dh_prev + drh * r
    da_r = drh * h_prev * r * (1 - r)
    da_z = dz * z * (1 - z)
    for name, da in (("z", da_z), ("r", da_r)):
        W = params["W_" + name]
        grads["W_" + name] = np.hstack([da.T @ h_prev, da.T @ x])
        grads["b_" + name] = da.sum(axis=0)
        dh_prev = dh_prev + da @ W[:, :H]
        dx = dx + da @ W[:, H:]
    return dx, dh_prev, grads


def gru_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0].x.shape[1]
    params = cache[0].params
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros(v.shape) for k, v in params.items()}
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], carry, g = gru_step_backward(dh[:, t] + carry, cache[t])
        for k, v in g.items():
            grads[k] += v
    return dx, carry, grads
