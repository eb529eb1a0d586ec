"""Caches that keep only the step's inputs: each step backward recomputes the gates from them (trading time for memory), for the tanh RNN, LSTM and GRU.

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h), (x, h_prev, W_xh, W_hh, b_h)


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, b_h = cache
    h_next = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)
    da = dh_next * (1 - h_next ** 2)
    return da @ W_xh, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def _lstm_gates(x, h_prev, c_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    f = sigmoid(hx @ params["W_f"].T + params["b_f"])
    i = sigmoid(hx @ params["W_i"].T + params["b_i"])
    g = np.tanh(hx @ params["W_c"].T + params["b_c"])
    o = sigmoid(hx @ params["W_o"].T + params["b_o"])
    c = f * c_prev + i * g
    return hx, f, i, g, o, c


def lstm_step_forward(x, h_prev, c_prev, params):
    _, _, _, _, o, c = _lstm_gates(x, h_prev, c_prev, params)
    return o * np.tanh(c), c, (x, h_prev, c_prev, params)


def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, params = cache
    hx, f, i, g, o, c = _lstm_gates(x, h_prev, c_prev, params)
    H = h_prev.shape[1]
    tc = np.tanh(c)
    dc = dc_next + dh_next * o * (1 - tc ** 2)
    da = {"f": dc * c_prev * f * (1 - f), "i": dc * g * i * (1 - i),
          "c": dc * i * (1 - g ** 2), "o": dh_next * tc * o * (1 - o)}
    grads = {}
    dhx = np.zeros_like(hx)
    for k in "fico":
        grads["W_" + k] = da[k].T @ hx
        grads["b_" + k] = da[k].sum(axis=0)
        dhx += da[k] @ params["W_" + k]
    return dhx[:, H:], dhx[:, :H], dc * f, grads


def gru_step_forward(x, h_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    ht = np.tanh(np.concatenate([r * h_prev, x], axis=1) @ params["W_h"].T + params["b_h"])
    return (1 - z) * h_prev + z * ht, (x, h_prev, params)


def gru_step_backward(dh_next, cache):
    x, h_prev, params = cache
    H = h_prev.shape[1]
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    ht = np.tanh(rhx @ params["W_h"].T + params["b_h"])
    da_h = dh_next * z * (1 - ht ** 2)
    da_z = dh_next * (ht - h_prev) * z * (1 - z)
    drhx = da_h @ params["W_h"]
    da_r = drhx[:, :H] * h_prev * r * (1 - r)
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]
    grads = {"W_z": da_z.T @ hx, "b_z": da_z.sum(0), "W_r": da_r.T @ hx, "b_r": da_r.sum(0),
             "W_h": da_h.T @ rhx, "b_h": da_h.sum(0)}
    return drhx[:, H:] + dhx[:, H:], dh_next * (1 - z) + drhx[:, :H] * r + dhx[:, :H], grads


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    grads = {k: np.zeros_like(v) for k, v in cache[0][3].items()}
    dx = np.zeros((N, T, D))
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, g = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        for k in grads:
            grads[k] += g[k]
    return dx, dh_t, grads


def gru_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    grads = {k: np.zeros_like(v) for k, v in cache[0][2].items()}
    dx = np.zeros((N, T, D))
    dh_t = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, g = gru_step_backward(dh[:, t] + dh_t, cache[t])
        for k in grads:
            grads[k] += g[k]
    return dx, dh_t, grads
