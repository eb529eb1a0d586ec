"""LSTM step forward and backward with Python loops over samples and hidden units (each gate row a dot product).

expect: none
"""


def lstm_step_forward(x, h_prev, c_prev, params):
    N, H = h_prev.shape
    hx = np.concatenate([h_prev, x], axis=1)
    f, i, g, o = (np.zeros((N, H)) for _ in range(4))
    for n in range(N):
        for j in range(H):
            f[n, j] = sigmoid(np.dot(params["W_f"][j], hx[n]) + params["b_f"][j])
            i[n, j] = sigmoid(np.dot(params["W_i"][j], hx[n]) + params["b_i"][j])
            g[n, j] = np.tanh(np.dot(params["W_c"][j], hx[n]) + params["b_c"][j])
            o[n, j] = sigmoid(np.dot(params["W_o"][j], hx[n]) + params["b_o"][j])
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    return o * tanh_c, c_next, (hx, c_prev, f, i, g, o, tanh_c, params)


def lstm_step_backward(dh_next, dc_next, cache):
    hx, c_prev, f, i, g, o, tanh_c, params = cache
    N, H = c_prev.shape
    dc = dc_next + dh_next * o * (1 - tanh_c ** 2)
    da = {"f": dc * c_prev * f * (1 - f), "i": dc * g * i * (1 - i),
          "c": dc * i * (1 - g ** 2), "o": dh_next * tanh_c * o * (1 - o)}
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dhx = np.zeros_like(hx)
    for k in "fico":
        W = params["W_" + k]
        for n in range(N):
            for j in range(H):
                grads["W_" + k][j] += da[k][n, j] * hx[n]
                dhx[n] += da[k][n, j] * W[j]
        grads["b_" + k] = da[k].sum(axis=0)
    return dhx[:, H:], dhx[:, :H], dc * f, grads
