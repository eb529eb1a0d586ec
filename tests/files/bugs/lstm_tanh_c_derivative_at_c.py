"""lstm_step_backward takes tanh'(c) as 1 - c**2 instead of 1 - tanh(c)**2.

expect: q4
hint: tanh(c)
"""


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, g, o, tanh_c, params = cache
    H = c_prev.shape[1]
    c = f * c_prev + i * g
    do = dh_next * tanh_c
    dc = dc_next + dh_next * o * (1 - c ** 2)
    da_f = dc * c_prev * f * (1 - f)
    da_i = dc * g * i * (1 - i)
    da_g = dc * i * (1 - g ** 2)
    da_o = do * o * (1 - o)
    grads = {}
    dhx = np.zeros_like(hx)
    for name, da in (("f", da_f), ("i", da_i), ("c", da_g), ("o", da_o)):
        grads["W_" + name] = da.T @ hx
        grads["b_" + name] = da.sum(axis=0)
        dhx += da @ params["W_" + name]
    return dhx[:, H:], dhx[:, :H], dc * f, grads
