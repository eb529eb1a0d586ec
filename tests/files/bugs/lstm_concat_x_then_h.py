"""LSTM concatenates [x, h_prev] instead of [h_prev, x] (forward and backward alike).

expect: q4
hint: [h_prev, x]
"""


def lstm_step_forward(x, h_prev, c_prev, params):
    xh = np.concatenate([x, h_prev], axis=1)
    f = sigmoid(xh @ params["W_f"].T + params["b_f"])
    i = sigmoid(xh @ params["W_i"].T + params["b_i"])
    g = np.tanh(xh @ params["W_c"].T + params["b_c"])
    o = sigmoid(xh @ params["W_o"].T + params["b_o"])
    c_next = f * c_prev + i * g
    tc = np.tanh(c_next)
    h_next = o * tc
    return h_next, c_next, (xh, x.shape[1], c_prev, f, i, g, o, tc, params)


def lstm_step_backward(dh_next, dc_next, cache):
    xh, D, c_prev, f, i, g, o, tc, params = cache
    dc = dc_next + dh_next * o * (1 - tc ** 2)
    das = {"f": dc * c_prev * f * (1 - f), "i": dc * g * i * (1 - i),
           "c": dc * i * (1 - g ** 2), "o": dh_next * tc * o * (1 - o)}
    grads = {}
    dxh = 0
    for k, da in das.items():
        grads["W_" + k] = da.T @ xh
        grads["b_" + k] = da.sum(axis=0)
        dxh = dxh + da @ params["W_" + k]
    return dxh[:, :D], dxh[:, D:], dc * f, grads


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][1]
    params = cache[0][-1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_prev = np.zeros((N, H))
    dc_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dh_prev, dc_prev, g = lstm_step_backward(dh[:, t, :] + dh_prev, dc_prev, cache[t])
        for k in grads:
            grads[k] += g[k]
    return dx, dh_prev, grads
