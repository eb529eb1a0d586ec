"""lstm_forward keeps every gate in (N, T, H) arrays and lstm_backward does the whole BPTT inline (no step functions), summing the weight gradients over time with one einsum per gate after the loop.

expect: none
"""


def lstm_forward(x, h0, params):
    N, T, D = x.shape
    H = h0.shape[1]
    hx = np.zeros((N, T, H + D))
    gates = {k: np.zeros((N, T, H)) for k in "fico"}
    c = np.zeros((N, T + 1, H))
    h = np.zeros((N, T + 1, H))
    h[:, 0] = h0
    for t in range(T):
        hx[:, t] = np.concatenate([h[:, t], x[:, t]], axis=1)
        for k in "fio":
            gates[k][:, t] = sigmoid(hx[:, t] @ params["W_" + k].T + params["b_" + k])
        gates["c"][:, t] = np.tanh(hx[:, t] @ params["W_c"].T + params["b_c"])
        c[:, t + 1] = gates["f"][:, t] * c[:, t] + gates["i"][:, t] * gates["c"][:, t]
        h[:, t + 1] = gates["o"][:, t] * np.tanh(c[:, t + 1])
    return h[:, 1:].copy(), {"hx": hx, "gates": gates, "c": c, "params": params}


def lstm_backward(dh, cache):
    hx, gates, c, params = cache["hx"], cache["gates"], cache["c"], cache["params"]
    N, T, H = dh.shape
    f, i, g, o = gates["f"], gates["i"], gates["c"], gates["o"]
    da = {k: np.zeros((N, T, H)) for k in "fico"}
    dx = np.zeros((N, T, hx.shape[2] - H))
    dh_carry = np.zeros((N, H))
    dc_carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh_t = dh[:, t] + dh_carry
        tc = np.tanh(c[:, t + 1])
        dc = dc_carry + dh_t * o[:, t] * (1 - tc ** 2)
        da["o"][:, t] = dh_t * tc * o[:, t] * (1 - o[:, t])
        da["f"][:, t] = dc * c[:, t] * f[:, t] * (1 - f[:, t])
        da["i"][:, t] = dc * g[:, t] * i[:, t] * (1 - i[:, t])
        da["c"][:, t] = dc * i[:, t] * (1 - g[:, t] ** 2)
        dhx = sum(da[k][:, t] @ params["W_" + k] for k in "fico")
        dh_carry, dx[:, t] = dhx[:, :H], dhx[:, H:]
        dc_carry = dc * f[:, t]
    grads = {}
    for k in "fico":
        grads["W_" + k] = np.einsum("nth,ntk->hk", da[k], hx)
        grads["b_" + k] = da[k].sum(axis=(0, 1))
    return dx, dh_carry, grads
