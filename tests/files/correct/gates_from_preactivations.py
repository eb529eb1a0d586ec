"""LSTM and GRU caches that keep the gates' pre-activations; the backwards recompute the gates and take sigmoid' as sigmoid(a) * sigmoid(-a) and tanh' as 1 - tanh(a)**2.

expect: none
"""


def _dsig(a):
    return sigmoid(a) * sigmoid(-a)


def _dtanh(a):
    return 1 - np.tanh(a) ** 2


def lstm_step_forward(x, h_prev, c_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    a = {k: hx @ params["W_" + k].T + params["b_" + k] for k in "fico"}
    c_next = sigmoid(a["f"]) * c_prev + sigmoid(a["i"]) * np.tanh(a["c"])
    h_next = sigmoid(a["o"]) * np.tanh(c_next)
    return h_next, c_next, (hx, c_prev, c_next, a, params)


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, c_next, a, params = cache
    H = c_prev.shape[1]
    f, i, g, o = sigmoid(a["f"]), sigmoid(a["i"]), np.tanh(a["c"]), sigmoid(a["o"])
    dc = dc_next + dh_next * o * _dtanh(c_next)
    da = {"f": dc * c_prev * _dsig(a["f"]), "i": dc * g * _dsig(a["i"]),
          "c": dc * i * _dtanh(a["c"]), "o": dh_next * np.tanh(c_next) * _dsig(a["o"])}
    grads = {}
    for k in "fico":
        grads["W_" + k] = da[k].T @ hx
        grads["b_" + k] = da[k].sum(axis=0)
    dhx = sum(da[k] @ params["W_" + k] for k in "fico")
    return dhx[:, H:], dhx[:, :H], dc * f, grads


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1] - H
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][-1].items()}
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, g = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        for k in grads:
            grads[k] += g[k]
    return dx, dh_t, grads


def gru_step_forward(x, h_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    a_z = hx @ params["W_z"].T + params["b_z"]
    a_r = hx @ params["W_r"].T + params["b_r"]
    rhx = np.concatenate([sigmoid(a_r) * h_prev, x], axis=1)
    a_h = rhx @ params["W_h"].T + params["b_h"]
    h_next = sigmoid(-a_z) * h_prev + sigmoid(a_z) * np.tanh(a_h)     # 1 - z = sigmoid(-a_z)
    return h_next, (hx, rhx, a_z, a_r, a_h, params)


def gru_step_backward(dh_next, cache):
    hx, rhx, a_z, a_r, a_h, params = cache
    H = a_z.shape[1]
    h_prev = hx[:, :H]
    z, r, ht = sigmoid(a_z), sigmoid(a_r), np.tanh(a_h)
    da_h = dh_next * z * _dtanh(a_h)
    da_z = dh_next * (ht - h_prev) * _dsig(a_z)
    drhx = da_h @ params["W_h"]
    da_r = drhx[:, :H] * h_prev * _dsig(a_r)
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]
    grads = {"W_z": da_z.T @ hx, "b_z": da_z.sum(0), "W_r": da_r.T @ hx, "b_r": da_r.sum(0),
             "W_h": da_h.T @ rhx, "b_h": da_h.sum(0)}
    return drhx[:, H:] + dhx[:, H:], dh_next * sigmoid(-a_z) + drhx[:, :H] * r + dhx[:, :H], grads
