"""GRU backward that sums the four paths into h_prev in another order, from one big gradient of hx, and keeps the step outputs in lists.

expect: none
"""


def gru_step_backward(dh_next, cache):
    hx, rhx, z, r, h_tilde, params = cache
    H = z.shape[1]
    h_prev = hx[:, :H]
    da_h = dh_next * z * (1 - h_tilde ** 2)
    da_z = dh_next * (h_tilde - h_prev) * z * (1 - z)
    drhx = da_h @ params["W_h"]
    da_r = drhx[:, :H] * h_prev * r * (1 - r)
    dhx = da_r @ params["W_r"] + da_z @ params["W_z"]
    dhx[:, :H] += drhx[:, :H] * r
    dhx[:, H:] += drhx[:, H:]
    dhx[:, :H] += dh_next * (1 - z)
    grads = {"b_z": np.sum(da_z, 0), "W_z": da_z.T @ hx,
             "b_r": np.sum(da_r, 0), "W_r": da_r.T @ hx,
             "b_h": np.sum(da_h, 0), "W_h": da_h.T @ rhx}
    return dhx[:, H:], dhx[:, :H], grads


def gru_forward(x, h0, params):
    hs, caches = [], []
    h_t = h0
    for t in range(x.shape[1]):
        h_t, cache = gru_step_forward(x[:, t], h_t, params)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs, 1), caches
