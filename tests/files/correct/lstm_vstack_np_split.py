"""LSTM with the four gates stacked by np.vstack into one (4H, H+D) matrix and the pre-activations cut with np.split; the backward accumulates into a dict made by {k: np.zeros_like(v) ...}.

expect: none
"""


def lstm_step_forward(x, h_prev, c_prev, params):
    W = np.vstack([params["W_f"], params["W_i"], params["W_c"], params["W_o"]])
    b = np.hstack([params["b_f"], params["b_i"], params["b_c"], params["b_o"]])
    hx = np.hstack([h_prev, x])
    a_f, a_i, a_c, a_o = np.split(hx.dot(W.T) + b, 4, axis=1)
    f, i, o = sigmoid(a_f), sigmoid(a_i), sigmoid(a_o)
    g = np.tanh(a_c)
    next_c = f * c_prev + i * g
    next_h = o * np.tanh(next_c)
    cache = {"hx": hx, "W": W, "c_prev": c_prev, "next_c": next_c,
             "f": f, "i": i, "g": g, "o": o, "params": params}
    return next_h, next_c, cache


def lstm_step_backward(dh_next, dc_next, cache):
    H = cache["c_prev"].shape[1]
    f, i, g, o = cache["f"], cache["i"], cache["g"], cache["o"]
    tanh_c = np.tanh(cache["next_c"])
    dc = dc_next + dh_next * o * (1 - tanh_c ** 2)
    da_f = dc * cache["c_prev"] * f * (1 - f)
    da_i = dc * g * i * (1 - i)
    da_c = dc * i * (1 - g ** 2)
    da_o = dh_next * tanh_c * o * (1 - o)
    da = np.hstack([da_f, da_i, da_c, da_o])
    dhx = da.dot(cache["W"])
    dW_f, dW_i, dW_c, dW_o = np.split(da.T.dot(cache["hx"]), 4, axis=0)
    db_f, db_i, db_c, db_o = np.split(da.sum(axis=0), 4)
    grads = {"W_f": dW_f, "W_i": dW_i, "W_c": dW_c, "W_o": dW_o,
             "b_f": db_f, "b_i": db_i, "b_c": db_c, "b_o": db_o}
    return dhx[:, H:], dhx[:, :H], dc * f, grads


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h, prev_c = h0, np.zeros_like(h0)
    caches = []
    for t in range(T):
        prev_h, prev_c, c = lstm_step_forward(x[:, t, :], prev_h, prev_c, params)
        h[:, t, :] = prev_h
        caches.append(c)
    return h, caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0]["hx"].shape[1] - H
    grads = {k: np.zeros_like(v) for k, v in cache[0]["params"].items()}
    dx = np.zeros((N, T, D))
    dprev_h = np.zeros((N, H))
    dprev_c = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dprev_h, dprev_c, step = lstm_step_backward(dh[:, t, :] + dprev_h, dprev_c, cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dprev_h, grads
