"""LSTM output h = o * c instead of o * tanh(c) (forward and a matching backward).

expect: q4
hint: o * tanh(c)
"""


def lstm_step_forward(x, h_prev, c_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    f = sigmoid(hx @ params["W_f"].T + params["b_f"])
    i = sigmoid(hx @ params["W_i"].T + params["b_i"])
    g = np.tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c_next = f * c_prev + i * g
    h_next = o * c_next
    return h_next, c_next, (hx, c_prev, f, i, g, o, c_next, params)


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, g, o, c_next, params = cache
    H = c_prev.shape[1]
    dc = dc_next + dh_next * o
    da_f = dc * c_prev * f * (1 - f)
    da_i = dc * g * i * (1 - i)
    da_g = dc * i * (1 - g ** 2)
    da_o = dh_next * c_next * o * (1 - o)
    grads = {"W_f": da_f.T @ hx, "b_f": da_f.sum(0), "W_i": da_i.T @ hx, "b_i": da_i.sum(0),
             "W_c": da_g.T @ hx, "b_c": da_g.sum(0), "W_o": da_o.T @ hx, "b_o": da_o.sum(0)}
    dhx = da_f @ params["W_f"] + da_i @ params["W_i"] + da_g @ params["W_c"] + da_o @ params["W_o"]
    return dhx[:, H:], dhx[:, :H], dc * f, grads
