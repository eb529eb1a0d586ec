"""LSTM and GRU steps with np.einsum for every product (forward and backward), sequences that call them.

expect: none
"""


def _affine(hx, W, b):
    return np.einsum("nk,hk->nh", hx, W) + b


def lstm_step_forward(x, h_prev, c_prev, params):
    hx = np.concatenate([h_prev, x], axis=-1)
    f = sigmoid(_affine(hx, params["W_f"], params["b_f"]))
    i = sigmoid(_affine(hx, params["W_i"], params["b_i"]))
    g = np.tanh(_affine(hx, params["W_c"], params["b_c"]))
    o = sigmoid(_affine(hx, params["W_o"], params["b_o"]))
    c_next = np.einsum("nh,nh->nh", f, c_prev) + np.einsum("nh,nh->nh", i, g)
    tc = np.tanh(c_next)
    return o * tc, c_next, (hx, c_prev, f, i, g, o, tc, params)


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, g, o, tc, params = cache
    H = c_prev.shape[-1]
    dc = dc_next + dh_next * o * (1 - tc ** 2)
    da = {"f": dc * c_prev * f * (1 - f), "i": dc * g * i * (1 - i),
          "c": dc * i * (1 - g ** 2), "o": dh_next * tc * o * (1 - o)}
    grads, dhx = {}, 0.0
    for k, d in da.items():
        grads["W_" + k] = np.einsum("nh,nk->hk", d, hx)
        grads["b_" + k] = np.einsum("nh->h", d)
        dhx = dhx + np.einsum("nh,hk->nk", d, params["W_" + k])
    return dhx[:, H:], dhx[:, :H], dc * f, grads


def gru_step_forward(x, h_prev, params):
    hx = np.concatenate([h_prev, x], axis=-1)
    z = sigmoid(_affine(hx, params["W_z"], params["b_z"]))
    r = sigmoid(_affine(hx, params["W_r"], params["b_r"]))
    rhx = np.concatenate([r * h_prev, x], axis=-1)
    ht = np.tanh(_affine(rhx, params["W_h"], params["b_h"]))
    return (1 - z) * h_prev + z * ht, (hx, rhx, z, r, ht, params)


def gru_step_backward(dh_next, cache):
    hx, rhx, z, r, ht, params = cache
    H = z.shape[-1]
    h_prev = hx[:, :H]
    da_h = dh_next * z * (1 - ht ** 2)
    drhx = np.einsum("nh,hk->nk", da_h, params["W_h"])
    da_z = dh_next * (ht - h_prev) * z * (1 - z)
    da_r = drhx[:, :H] * h_prev * r * (1 - r)
    dhx = np.einsum("nh,hk->nk", da_z, params["W_z"]) + np.einsum("nh,hk->nk", da_r, params["W_r"])
    dh_prev = dh_next * (1 - z) + drhx[:, :H] * r + dhx[:, :H]
    dx = drhx[:, H:] + dhx[:, H:]
    grads = {"W_z": np.einsum("nh,nk->hk", da_z, hx), "b_z": np.einsum("nh->h", da_z),
             "W_r": np.einsum("nh,nk->hk", da_r, hx), "b_r": np.einsum("nh->h", da_r),
             "W_h": np.einsum("nh,nk->hk", da_h, rhx), "b_h": np.einsum("nh->h", da_h)}
    return dx, dh_prev, grads
