"""tanh written as 2 * sigmoid(2a) - 1 with the provided stable sigmoid, in the RNN step and in the LSTM and GRU step forwards (caches as the answer key's backward expects).

expect: none
"""


def my_tanh(a):
    return 2.0 * sigmoid(2.0 * a) - 1.0


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h_next = my_tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)


def lstm_step_forward(x, h_prev, c_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    f = sigmoid(hx @ params["W_f"].T + params["b_f"])
    i = sigmoid(hx @ params["W_i"].T + params["b_i"])
    g = my_tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c_next = f * c_prev + i * g
    tanh_c = my_tanh(c_next)
    return o * tanh_c, c_next, (hx, c_prev, f, i, g, o, tanh_c, params)


def gru_step_forward(x, h_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    h_tilde = my_tanh(rhx @ params["W_h"].T + params["b_h"])
    return (1 - z) * h_prev + z * h_tilde, (hx, rhx, z, r, h_tilde, params)
