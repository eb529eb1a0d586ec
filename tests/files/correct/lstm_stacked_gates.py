"""LSTM with the four gate weights stacked into one (4H, H+D) matrix: one matmul, then split; backward stacks the gate gradients.

expect: none
"""


def _stack(params):
    W = np.vstack([params["W_f"], params["W_i"], params["W_c"], params["W_o"]])
    b = np.concatenate([params["b_f"], params["b_i"], params["b_c"], params["b_o"]])
    return W, b


def lstm_step_forward(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    W, b = _stack(params)
    hx = np.hstack([h_prev, x])
    a = hx @ W.T + b                          # (N, 4H)
    f = sigmoid(a[:, :H])
    i = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, (hx, W, c_prev, c_next, f, i, g, o)


def lstm_step_backward(dh_next, dc_next, cache):
    hx, W, c_prev, c_next, f, i, g, o = cache
    H = c_prev.shape[1]
    tc = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tc * tc)
    da = np.hstack([dc * c_prev * f * (1 - f),
                    dc * g * i * (1 - i),
                    dc * i * (1 - g * g),
                    dh_next * tc * o * (1 - o)])   # (N, 4H)
    dW = da.T @ hx
    db = da.sum(axis=0)
    dhx = da @ W
    grads = {}
    for k, name in enumerate("fico"):
        grads["W_" + name] = dW[k * H:(k + 1) * H]
        grads["b_" + name] = db[k * H:(k + 1) * H]
    return dhx[:, H:], dhx[:, :H], dc * f, grads


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1] - H
    dx = np.zeros((N, T, D))
    total = None
    dh_t = np.zeros((N, H))
    dc_t = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dc_t, grads = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        total = grads if total is None else {k: total[k] + grads[k] for k in total}
    return dx, dh_t, total
