"""tanh from np.exp in a stable form, sign(a) * (1 - e) / (1 + e) with e = exp(-2|a|) (never overflows), in the RNN step and the GRU candidate; derivatives from the stored outputs.

expect: none
"""


def stable_tanh(a):
    e = np.exp(-2.0 * np.abs(a))
    return np.sign(a) * (1.0 - e) / (1.0 + e)


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    a = np.dot(x, W_xh.T) + np.dot(h_prev, W_hh.T) + b_h
    h_next = stable_tanh(a)
    return h_next, (x, h_prev, W_xh, W_hh, h_next)


def gru_step_forward(x, h_prev, params):
    hx = np.hstack((h_prev, x))
    z = sigmoid(np.dot(hx, params["W_z"].T) + params["b_z"])
    r = sigmoid(np.dot(hx, params["W_r"].T) + params["b_r"])
    rhx = np.hstack((r * h_prev, x))
    h_tilde = stable_tanh(np.dot(rhx, params["W_h"].T) + params["b_h"])
    h_next = (1 - z) * h_prev + z * h_tilde
    return h_next, (hx, rhx, z, r, h_tilde, params)
