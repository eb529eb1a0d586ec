"""LSTM whose caches are instances of a small class; lstm_forward collects states in a list and stacks them.

expect: none
"""


class LSTMStepCache:
    def __init__(self, **values):
        self.__dict__.update(values)


def lstm_step_forward(x, h_prev, c_prev, params):
    hx = np.concatenate((h_prev, x), axis=1)
    gates = {}
    for name in ("f", "i", "o"):
        gates[name] = sigmoid(np.dot(hx, params["W_" + name].T) + params["b_" + name])
    g = np.tanh(np.dot(hx, params["W_c"].T) + params["b_c"])
    c_next = gates["f"] * c_prev + gates["i"] * g
    h_next = gates["o"] * np.tanh(c_next)
    cache = LSTMStepCache(hx=hx, c_prev=c_prev, c_next=c_next, g=g, params=params, **gates)
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    C = cache
    H = C.c_prev.shape[1]
    tc = np.tanh(C.c_next)
    dc = dc_next + dh_next * C.o * (1 - tc ** 2)
    da = {"f": dc * C.c_prev * C.f * (1 - C.f),
          "i": dc * C.g * C.i * (1 - C.i),
          "c": dc * C.i * (1 - C.g ** 2),
          "o": dh_next * tc * C.o * (1 - C.o)}
    grads = {}
    dhx = 0
    for name in ("f", "i", "c", "o"):
        grads["W_" + name] = np.dot(da[name].T, C.hx)
        grads["b_" + name] = np.sum(da[name], axis=0)
        dhx = dhx + np.dot(da[name], C.params["W_" + name])
    return dhx[:, H:], dhx[:, :H], dc * C.f, grads


def lstm_forward(x, h0, params):
    T = x.shape[1]
    h_t, c_t = h0, np.zeros_like(h0)
    hs, caches = [], []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t, :], h_t, c_t, params)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    params = cache[0].params
    dxs = [None] * T
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dxs[t], dh_t, dc_t, g = lstm_step_backward(dh[:, t, :] + dh_t, dc_t, cache[t])
        for k in grads:
            grads[k] = grads[k] + g[k]
    return np.stack(dxs, axis=1), dh_t, grads
