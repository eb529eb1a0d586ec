"""Sequence forwards and backwards (tanh RNN, LSTM, GRU) that loop over time AND over the samples of the batch, one vector at a time: slow but correct.

expect: none
"""


def _sig(a):
    return sigmoid(a)


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    for n in range(N):
        prev = h0[n]
        for t in range(T):
            prev = np.tanh(W_xh @ x[n, t] + W_hh @ prev + b_h)
            h[n, t] = prev
    return h, (x, h0, W_xh, W_hh, h)


def rnn_backward(dh, cache):
    x, h0, W_xh, W_hh, h = cache
    N, T, H = dh.shape
    dx = np.zeros_like(x)
    dh0 = np.zeros_like(h0)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(H)
    for n in range(N):
        carry = np.zeros(H)
        for t in range(T - 1, -1, -1):
            da = (dh[n, t] + carry) * (1 - h[n, t] ** 2)
            prev = h[n, t - 1] if t > 0 else h0[n]
            dx[n, t] = W_xh.T @ da
            carry = W_hh.T @ da
            dW_xh += np.outer(da, x[n, t])
            dW_hh += np.outer(da, prev)
            db_h += da
        dh0[n] = carry
    return dx, dh0, dW_xh, dW_hh, db_h


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    steps = [[None] * T for _ in range(N)]
    for n in range(N):
        hp, cp = h0[n], np.zeros(H)
        for t in range(T):
            v = np.concatenate([hp, x[n, t]])
            f = _sig(params["W_f"] @ v + params["b_f"])
            i = _sig(params["W_i"] @ v + params["b_i"])
            g = np.tanh(params["W_c"] @ v + params["b_c"])
            o = _sig(params["W_o"] @ v + params["b_o"])
            c = f * cp + i * g
            steps[n][t] = (v, cp, f, i, g, o, c)
            hp, cp = o * np.tanh(c), c
            h[n, t] = hp
    return h, (steps, params, D)


def lstm_backward(dh, cache):
    steps, params, D = cache
    N, T, H = dh.shape
    dx = np.zeros((N, T, D))
    dh0 = np.zeros((N, H))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for n in range(N):
        dh_next, dc_next = np.zeros(H), np.zeros(H)
        for t in range(T - 1, -1, -1):
            v, cp, f, i, g, o, c = steps[n][t]
            dht = dh[n, t] + dh_next
            tc = np.tanh(c)
            dc = dc_next + dht * o * (1 - tc ** 2)
            das = {"f": dc * cp * f * (1 - f), "i": dc * g * i * (1 - i),
                   "c": dc * i * (1 - g ** 2), "o": dht * tc * o * (1 - o)}
            dv = np.zeros(H + D)
            for k, da in das.items():
                grads["W_" + k] += np.outer(da, v)
                grads["b_" + k] += da
                dv += params["W_" + k].T @ da
            dh_next, dc_next = dv[:H], dc * f
            dx[n, t] = dv[H:]
        dh0[n] = dh_next
    return dx, dh0, grads


def gru_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    steps = [[None] * T for _ in range(N)]
    for n in range(N):
        hp = h0[n]
        for t in range(T):
            v = np.concatenate([hp, x[n, t]])
            z = _sig(params["W_z"] @ v + params["b_z"])
            r = _sig(params["W_r"] @ v + params["b_r"])
            rv = np.concatenate([r * hp, x[n, t]])
            ht = np.tanh(params["W_h"] @ rv + params["b_h"])
            steps[n][t] = (v, rv, hp, z, r, ht)
            hp = (1 - z) * hp + z * ht
            h[n, t] = hp
    return h, (steps, params, D)


def gru_backward(dh, cache):
    steps, params, D = cache
    N, T, H = dh.shape
    dx = np.zeros((N, T, D))
    dh0 = np.zeros((N, H))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for n in range(N):
        carry = np.zeros(H)
        for t in range(T - 1, -1, -1):
            v, rv, hp, z, r, ht = steps[n][t]
            dht = dh[n, t] + carry
            da_h = dht * z * (1 - ht ** 2)
            da_z = dht * (ht - hp) * z * (1 - z)
            drv = params["W_h"].T @ da_h
            da_r = drv[:H] * hp * r * (1 - r)
            dv = params["W_z"].T @ da_z + params["W_r"].T @ da_r
            for k, da, inp in (("z", da_z, v), ("r", da_r, v), ("h", da_h, rv)):
                grads["W_" + k] += np.outer(da, inp)
                grads["b_" + k] += da
            carry = dht * (1 - z) + drv[:H] * r + dv[:H]
            dx[n, t] = drv[H:] + dv[H:]
        dh0[n] = carry
    return dx, dh0, grads
