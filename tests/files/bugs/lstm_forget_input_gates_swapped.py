"""LSTM with the forget and input gates' weights swapped (W_i used for f, W_f for i), forward and backward alike.

expect: q4
hint: own weights
"""


def lstm_step_forward(x, h_prev, c_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    f = sigmoid(hx @ params["W_i"].T + params["b_i"])
    i = sigmoid(hx @ params["W_f"].T + params["b_f"])
    g = np.tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, (hx, c_prev, f, i, g, o, c_next, params)


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, g, o, c_next, params = cache
    H = c_prev.shape[1]
    tc = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tc ** 2)
    da_f = dc * c_prev * f * (1 - f)
    da_i = dc * g * i * (1 - i)
    da_g = dc * i * (1 - g ** 2)
    da_o = dh_next * tc * o * (1 - o)
    grads = {"W_i": da_f.T @ hx, "b_i": da_f.sum(0), "W_f": da_i.T @ hx, "b_f": da_i.sum(0),
             "W_c": da_g.T @ hx, "b_c": da_g.sum(0), "W_o": da_o.T @ hx, "b_o": da_o.sum(0)}
    dhx = da_f @ params["W_i"] + da_i @ params["W_f"] + da_g @ params["W_c"] + da_o @ params["W_o"]
    return dhx[:, H:], dhx[:, :H], dc * f, grads
