"""lstm_step_backward ignores dc_next: the cell gradient only comes through h_next.

expect: q4
hint: dc_next
"""


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, g, o, tanh_c, params = cache
    H = c_prev.shape[1]
    do = dh_next * tanh_c
    dc = dh_next * o * (1 - tanh_c ** 2)
    df = dc * c_prev
    di = dc * g
    dg = dc * i
    dc_prev = dc * f
    da_f = df * f * (1 - f)
    da_i = di * i * (1 - i)
    da_g = dg * (1 - g ** 2)
    da_o = do * o * (1 - o)
    grads = {
        "W_f": da_f.T @ hx, "b_f": da_f.sum(0),
        "W_i": da_i.T @ hx, "b_i": da_i.sum(0),
        "W_c": da_g.T @ hx, "b_c": da_g.sum(0),
        "W_o": da_o.T @ hx, "b_o": da_o.sum(0),
    }
    dhx = da_f @ params["W_f"] + da_i @ params["W_i"] + da_g @ params["W_c"] + da_o @ params["W_o"]
    return dhx[:, H:], dhx[:, :H], dc_prev, grads
