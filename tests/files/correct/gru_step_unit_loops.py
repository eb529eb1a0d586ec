"""GRU step forward and backward with Python loops over samples and hidden units.

expect: none
"""


def gru_step_forward(x, h_prev, params):
    N, H = h_prev.shape
    hx = np.concatenate([h_prev, x], axis=1)
    z, r, ht = np.zeros((N, H)), np.zeros((N, H)), np.zeros((N, H))
    for n in range(N):
        for j in range(H):
            z[n, j] = sigmoid(np.dot(params["W_z"][j], hx[n]) + params["b_z"][j])
            r[n, j] = sigmoid(np.dot(params["W_r"][j], hx[n]) + params["b_r"][j])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    for n in range(N):
        for j in range(H):
            ht[n, j] = np.tanh(np.dot(params["W_h"][j], rhx[n]) + params["b_h"][j])
    return (1 - z) * h_prev + z * ht, (hx, rhx, z, r, ht, params)


def gru_step_backward(dh_next, cache):
    hx, rhx, z, r, ht, params = cache
    N, H = z.shape
    h_prev = hx[:, :H]
    da_h = dh_next * z * (1 - ht ** 2)
    da_z = dh_next * (ht - h_prev) * z * (1 - z)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    drhx = np.zeros_like(rhx)
    for n in range(N):
        for j in range(H):
            grads["W_h"][j] += da_h[n, j] * rhx[n]
            drhx[n] += da_h[n, j] * params["W_h"][j]
    da_r = drhx[:, :H] * h_prev * r * (1 - r)
    dhx = np.zeros_like(hx)
    for n in range(N):
        for j in range(H):
            grads["W_z"][j] += da_z[n, j] * hx[n]
            grads["W_r"][j] += da_r[n, j] * hx[n]
            dhx[n] += da_z[n, j] * params["W_z"][j] + da_r[n, j] * params["W_r"][j]
    grads["b_z"], grads["b_r"], grads["b_h"] = da_z.sum(0), da_r.sum(0), da_h.sum(0)
    return drhx[:, H:] + dhx[:, H:], dh_next * (1 - z) + drhx[:, :H] * r + dhx[:, :H], grads
