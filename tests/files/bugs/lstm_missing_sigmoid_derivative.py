"""lstm_step_backward passes the gate gradients through the sigmoids without their derivative s * (1 - s).

expect: q4
hint: s * (1 - s)
"""


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    H = c_prev.shape[1]
    dc = dc_next + dh_next * o * (1 - tanh_c ** 2)
    da = {
        "f": dc * c_prev,
        "i": dc * c_tilde,
        "c": dc * i * (1 - c_tilde ** 2),
        "o": dh_next * tanh_c,
    }
    grads = {}
    dhx = np.zeros_like(hx)
    for k in ("f", "i", "c", "o"):
        grads["W_" + k] = da[k].T @ hx
        grads["b_" + k] = da[k].sum(axis=0)
        dhx += da[k] @ params["W_" + k]
    return dhx[:, H:], dhx[:, :H], dc * f, grads
