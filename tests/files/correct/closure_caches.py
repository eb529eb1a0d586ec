"""Caches that are closures: each forward returns, as its cache, a function that computes the backward from the upstream gradient (tanh RNN steps and GRU steps).

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h_next = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)

    def backward(dh_next):
        da = dh_next * (1 - h_next ** 2)
        return da @ W_xh, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)
    return h_next, backward


def rnn_step_backward(dh_next, cache):
    return cache(dh_next)


def gru_step_forward(x, h_prev, params):
    H = h_prev.shape[1]
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    rhx = np.concatenate([r * h_prev, x], axis=1)
    ht = np.tanh(rhx @ params["W_h"].T + params["b_h"])

    def backward(dh_next):
        da_h = dh_next * z * (1 - ht ** 2)
        da_z = dh_next * (ht - h_prev) * z * (1 - z)
        drhx = da_h @ params["W_h"]
        da_r = drhx[:, :H] * h_prev * r * (1 - r)
        dhx = da_z @ params["W_z"] + da_r @ params["W_r"]
        grads = {"W_z": da_z.T @ hx, "b_z": da_z.sum(0), "W_r": da_r.T @ hx, "b_r": da_r.sum(0),
                 "W_h": da_h.T @ rhx, "b_h": da_h.sum(0)}
        return drhx[:, H:] + dhx[:, H:], dh_next * (1 - z) + drhx[:, :H] * r + dhx[:, :H], grads
    return (1 - z) * h_prev + z * ht, backward


def gru_step_backward(dh_next, cache):
    return cache(dh_next)


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dx, carry, total = [None] * T, np.zeros((N, H)), {}
    for t in reversed(range(T)):
        dx[t], carry, g = gru_step_backward(dh[:, t] + carry, cache[t])
        for k, v in g.items():
            total[k] = total.get(k, 0) + v
    return np.stack(dx, axis=1), carry, total


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx, carry, dW_xh, dW_hh, db_h = [None] * T, np.zeros((N, H)), 0, 0, 0
    for t in reversed(range(T)):
        dx[t], carry, a, b, c = rnn_step_backward(dh[:, t] + carry, cache[t])
        dW_xh, dW_hh, db_h = dW_xh + a, dW_hh + b, db_h + c
    return np.stack(dx, axis=1), carry, dW_xh, dW_hh, db_h
