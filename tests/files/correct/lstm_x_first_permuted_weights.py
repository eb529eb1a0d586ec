"""LSTM that concatenates [x, h_prev] (input first, as many textbooks do) and permutes the columns of each W to match, permuting the weight gradients back in the backward: the contract's [h_prev, x] weights, right values.

expect: none
"""


def _x_first(W, H):
    return np.hstack([W[:, H:], W[:, :H]])


def lstm_step_forward(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    xh = np.hstack([x, h_prev])
    Wp = {k: _x_first(params["W_" + k], H) for k in "fico"}
    f = sigmoid(xh @ Wp["f"].T + params["b_f"])
    i = sigmoid(xh @ Wp["i"].T + params["b_i"])
    g = np.tanh(xh @ Wp["c"].T + params["b_c"])
    o = sigmoid(xh @ Wp["o"].T + params["b_o"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, (xh, Wp, c_prev, c_next, f, i, g, o, params)


def lstm_step_backward(dh_next, dc_next, cache):
    xh, Wp, c_prev, c_next, f, i, g, o, params = cache
    H = c_prev.shape[1]
    D = xh.shape[1] - H
    tc = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tc ** 2)
    da = {"f": dc * c_prev * f * (1 - f), "i": dc * g * i * (1 - i),
          "c": dc * i * (1 - g ** 2), "o": dh_next * tc * o * (1 - o)}
    grads, dxh = {}, np.zeros_like(xh)
    for k in "fico":
        dWp = da[k].T @ xh                                  # columns in [x, h] order
        grads["W_" + k] = np.hstack([dWp[:, D:], dWp[:, :D]])   # back to [h, x]
        grads["b_" + k] = da[k].sum(axis=0)
        dxh += da[k] @ Wp[k]
    return dxh[:, :D], dxh[:, D:], dc * f, grads


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1] - H
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][-1].items()}
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, g = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        for k in grads:
            grads[k] += g[k]
    return dx, dh_t, grads
