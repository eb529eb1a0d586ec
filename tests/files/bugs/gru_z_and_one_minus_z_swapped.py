"""GRU written with PyTorch's convention h = z * h_prev + (1 - z) * h~ (forward and matching backward).

expect: q5
hint: convention
"""


def gru_step_forward(x, h_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    n = np.tanh(rhx @ params["W_h"].T + params["b_h"])
    h_next = z * h_prev + (1 - z) * n
    return h_next, (hx, rhx, z, r, n, params)


def gru_step_backward(dh_next, cache):
    hx, rhx, z, r, n, params = cache
    H = z.shape[1]
    h_prev = hx[:, :H]
    dn = dh_next * (1 - z)
    dz = dh_next * (h_prev - n)
    dh_prev = dh_next * z
    da_n = dn * (1 - n ** 2)
    drhx = da_n @ params["W_h"]
    dr = drhx[:, :H] * h_prev
    dh_prev = dh_prev + drhx[:, :H] * r
    dx = drhx[:, H:]
    da_z = dz * z * (1 - z)
    da_r = dr * r * (1 - r)
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]
    grads = {"W_z": da_z.T @ hx, "b_z": da_z.sum(0), "W_r": da_r.T @ hx, "b_r": da_r.sum(0),
             "W_h": da_n.T @ rhx, "b_h": da_n.sum(0)}
    return dx + dhx[:, H:], dh_prev + dhx[:, :H], grads
