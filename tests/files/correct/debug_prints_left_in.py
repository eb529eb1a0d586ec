"""Correct step functions with the student's debugging prints left in: shapes on every call, and the whole h_next array (numpy summarises big ones).

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    print("x", x.shape, "h_prev", h_prev.shape, "W_xh", W_xh.shape, "W_hh", W_hh.shape)
    h_next = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)
    print("h_next =", h_next)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = dh_next * (1 - h_next ** 2)
    print("da", da.shape, "norm", np.linalg.norm(da))
    return da @ W_xh, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def lstm_step_forward(x, h_prev, c_prev, params):
    print("lstm step", x.shape, h_prev.shape, c_prev.shape, sorted(params))
    hx = np.concatenate([h_prev, x], axis=1)
    f = sigmoid(hx @ params["W_f"].T + params["b_f"])
    i = sigmoid(hx @ params["W_i"].T + params["b_i"])
    g = np.tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    print("c_next =", c_next)
    return o * tanh_c, c_next, (hx, c_prev, f, i, g, o, tanh_c, params)


def gru_step_forward(x, h_prev, params):
    print("gru step", x.shape, h_prev.shape)
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    h_tilde = np.tanh(rhx @ params["W_h"].T + params["b_h"])
    h_next = (1 - z) * h_prev + z * h_tilde
    print("z =", z, "h_next =", h_next)
    return h_next, (hx, rhx, z, r, h_tilde, params)
