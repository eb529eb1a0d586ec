"""LSTM and GRU step functions that loop over the samples of the batch, one column vector W @ v at a time (the seeds' orientation), forward and backward.

expect: none
"""


def lstm_step_forward(x, h_prev, c_prev, params):
    N, H = h_prev.shape
    h_next, c_next = np.zeros((N, H)), np.zeros((N, H))
    per_sample = []
    for n in range(N):
        v = np.concatenate([h_prev[n], x[n]])
        f = sigmoid(params["W_f"] @ v + params["b_f"])
        i = sigmoid(params["W_i"] @ v + params["b_i"])
        g = np.tanh(params["W_c"] @ v + params["b_c"])
        o = sigmoid(params["W_o"] @ v + params["b_o"])
        c_next[n] = f * c_prev[n] + i * g
        h_next[n] = o * np.tanh(c_next[n])
        per_sample.append((v, c_prev[n], f, i, g, o, c_next[n].copy()))
    return h_next, c_next, (per_sample, params)


def lstm_step_backward(dh_next, dc_next, cache):
    per_sample, params = cache
    N, H = dh_next.shape
    D = per_sample[0][0].size - H
    dx, dh_prev, dc_prev = np.zeros((N, D)), np.zeros((N, H)), np.zeros((N, H))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for n, (v, cp, f, i, g, o, c) in enumerate(per_sample):
        tc = np.tanh(c)
        dc = dc_next[n] + dh_next[n] * o * (1 - tc ** 2)
        dv = np.zeros(H + D)
        for k, da in (("f", dc * cp * f * (1 - f)), ("i", dc * g * i * (1 - i)),
                      ("c", dc * i * (1 - g ** 2)), ("o", dh_next[n] * tc * o * (1 - o))):
            grads["W_" + k] += np.outer(da, v)
            grads["b_" + k] += da
            dv += params["W_" + k].T @ da
        dh_prev[n], dx[n], dc_prev[n] = dv[:H], dv[H:], dc * f
    return dx, dh_prev, dc_prev, grads


def gru_step_forward(x, h_prev, params):
    N, H = h_prev.shape
    h_next = np.zeros((N, H))
    per_sample = []
    for n in range(N):
        v = np.concatenate([h_prev[n], x[n]])
        z = sigmoid(params["W_z"] @ v + params["b_z"])
        r = sigmoid(params["W_r"] @ v + params["b_r"])
        rv = np.concatenate([r * h_prev[n], x[n]])
        ht = np.tanh(params["W_h"] @ rv + params["b_h"])
        h_next[n] = (1 - z) * h_prev[n] + z * ht
        per_sample.append((v, rv, z, r, ht))
    return h_next, (per_sample, params, H)


def gru_step_backward(dh_next, cache):
    per_sample, params, H = cache
    N = dh_next.shape[0]
    D = per_sample[0][0].size - H
    dx, dh_prev = np.zeros((N, D)), np.zeros((N, H))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for n, (v, rv, z, r, ht) in enumerate(per_sample):
        hp = v[:H]
        da_h = dh_next[n] * z * (1 - ht ** 2)
        da_z = dh_next[n] * (ht - hp) * z * (1 - z)
        drv = params["W_h"].T @ da_h
        da_r = drv[:H] * hp * r * (1 - r)
        dv = params["W_z"].T @ da_z + params["W_r"].T @ da_r
        for k, da, inp in (("z", da_z, v), ("r", da_r, v), ("h", da_h, rv)):
            grads["W_" + k] += np.outer(da, inp)
            grads["b_" + k] += da
        dh_prev[n] = dh_next[n] * (1 - z) + drv[:H] * r + dv[:H]
        dx[n] = drv[H:] + dv[H:]
    return dx, dh_prev, grads


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dxs, total = [], None
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dh_t, dc_t, g = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        dxs.insert(0, dx_t)
        total = g if total is None else {k: total[k] + g[k] for k in g}
    return np.stack(dxs, axis=1), dh_t, total


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dxs, total = [], None
    dh_t = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dh_t, g = gru_step_backward(dh[:, t] + dh_t, cache[t])
        dxs.insert(0, dx_t)
        total = g if total is None else {k: total[k] + g[k] for k in g}
    return np.stack(dxs, axis=1), dh_t, total
