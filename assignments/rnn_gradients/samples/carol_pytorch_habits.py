"""Knows PyTorch: GRU with nn.GRU's convention h = z * h_prev + (1 - z) * n, and an LSTM whose cell starts from h0.

expect: q4 q5
hint q4: c_0 = 0
hint q5: convention
"""


def gru_step_forward(x, h_prev, params):
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    n = np.tanh(rhx @ params["W_h"].T + params["b_h"])
    h_next = z * h_prev + (1 - z) * n
    return h_next, (hx, rhx, z, r, n, params)


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    h, c = h0, h0.copy()
    hs, caches = [], []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t, :], h, c, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches
