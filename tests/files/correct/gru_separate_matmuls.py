"""GRU with separate matmuls for the hidden and input blocks (W[:, :H], W[:, H:]) instead of a concatenation, dz derived from (h~ - h_prev), a dict cache, and a gru_backward that sums the step grads with a dict comprehension.

expect: none
"""


def gru_step_forward(x, h_prev, params):
    H = h_prev.shape[1]
    W_z, W_r, W_h = params["W_z"], params["W_r"], params["W_h"]
    z = sigmoid(h_prev @ W_z[:, :H].T + x @ W_z[:, H:].T + params["b_z"])
    r = sigmoid(h_prev @ W_r[:, :H].T + x @ W_r[:, H:].T + params["b_r"])
    h_cand = np.tanh((r * h_prev) @ W_h[:, :H].T + x @ W_h[:, H:].T + params["b_h"])
    h_next = (1 - z) * h_prev + z * h_cand
    cache = {"x": x, "h_prev": h_prev, "z": z, "r": r, "h_cand": h_cand, "params": params}
    return h_next, cache


def gru_step_backward(dh_next, cache):
    x, h_prev, z, r, h_cand = cache["x"], cache["h_prev"], cache["z"], cache["r"], cache["h_cand"]
    p = cache["params"]
    H = h_prev.shape[1]
    dz = dh_next * (h_cand - h_prev)
    dh_cand = dh_next * z
    dh_prev = dh_next * (1 - z)
    dah = dh_cand * (1 - h_cand ** 2)
    daz = dz * z * (1 - z)
    drh = dah @ p["W_h"][:, :H]
    dr = drh * h_prev
    dar = dr * r * (1 - r)
    dh_prev = dh_prev + drh * r + daz @ p["W_z"][:, :H] + dar @ p["W_r"][:, :H]
    dx = dah @ p["W_h"][:, H:] + daz @ p["W_z"][:, H:] + dar @ p["W_r"][:, H:]
    grads = {
        "W_z": np.hstack([daz.T @ h_prev, daz.T @ x]), "b_z": daz.sum(0),
        "W_r": np.hstack([dar.T @ h_prev, dar.T @ x]), "b_r": dar.sum(0),
        "W_h": np.hstack([dah.T @ (r * h_prev), dah.T @ x]), "b_h": dah.sum(0),
    }
    return dx, dh_prev, grads


def gru_forward(x, h0, params):
    hs, caches = [], []
    h = h0
    for t in range(x.shape[1]):
        h, c = gru_step_forward(x[:, t], h, params)
        hs.append(h)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dxs = [None] * T
    total = None
    dh_carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dxs[t], dh_carry, g = gru_step_backward(dh[:, t] + dh_carry, cache[t])
        total = g if total is None else {k: total[k] + g[k] for k in g}
    return np.stack(dxs, axis=1), dh_carry, total
