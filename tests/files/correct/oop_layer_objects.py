"""Object-oriented student code: a TanhRNNCell and a GRUCell class with forward/backward methods; the contract functions are thin wrappers and the cache is the cell object itself.

expect: none
"""


class TanhRNNCell:
    def __init__(self, W_xh, W_hh, b_h):
        self.W_xh, self.W_hh, self.b_h = W_xh, W_hh, b_h

    def forward(self, x, h_prev):
        self.x, self.h_prev = x, h_prev
        self.h = np.tanh(x @ self.W_xh.T + h_prev @ self.W_hh.T + self.b_h)
        return self.h

    def backward(self, dh):
        da = dh * (1 - self.h ** 2)
        return da @ self.W_xh, da @ self.W_hh, da.T @ self.x, da.T @ self.h_prev, da.sum(axis=0)


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    cell = TanhRNNCell(W_xh, W_hh, b_h)
    return cell.forward(x, h_prev), cell


def rnn_step_backward(dh_next, cache):
    return cache.backward(dh_next)


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    cells, hs, h = [], [], h0
    for t in range(x.shape[1]):
        cell = TanhRNNCell(W_xh, W_hh, b_h)
        h = cell.forward(x[:, t], h)
        cells.append(cell)
        hs.append(h)
    return np.stack(hs, axis=1), cells


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dxs, dW_xh, dW_hh, db_h = [None] * T, 0.0, 0.0, 0.0
    dh_t = np.zeros((N, H))
    for t in reversed(range(T)):
        dxs[t], dh_t, a, b, c = cache[t].backward(dh[:, t] + dh_t)
        dW_xh, dW_hh, db_h = dW_xh + a, dW_hh + b, db_h + c
    return np.stack(dxs, axis=1), dh_t, dW_xh, dW_hh, db_h


class GRUCell:
    KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")

    def __init__(self, params):
        self.p = params

    def forward(self, x, h_prev):
        p = self.p
        self.H = h_prev.shape[1]
        self.hx = np.concatenate([h_prev, x], axis=1)
        self.h_prev = h_prev
        self.z = sigmoid(self.hx @ p["W_z"].T + p["b_z"])
        self.r = sigmoid(self.hx @ p["W_r"].T + p["b_r"])
        self.rhx = np.concatenate([self.r * h_prev, x], axis=1)
        self.ht = np.tanh(self.rhx @ p["W_h"].T + p["b_h"])
        return (1 - self.z) * h_prev + self.z * self.ht

    def backward(self, dh):
        p, H, z, r, ht, h_prev = self.p, self.H, self.z, self.r, self.ht, self.h_prev
        da_h = dh * z * (1 - ht ** 2)
        da_z = dh * (ht - h_prev) * z * (1 - z)
        drhx = da_h @ p["W_h"]
        da_r = drhx[:, :H] * h_prev * r * (1 - r)
        dhx = da_z @ p["W_z"] + da_r @ p["W_r"]
        grads = {"W_z": da_z.T @ self.hx, "b_z": da_z.sum(0), "W_r": da_r.T @ self.hx, "b_r": da_r.sum(0),
                 "W_h": da_h.T @ self.rhx, "b_h": da_h.sum(0)}
        return drhx[:, H:] + dhx[:, H:], dh * (1 - z) + drhx[:, :H] * r + dhx[:, :H], grads


def gru_step_forward(x, h_prev, params):
    cell = GRUCell(params)
    return cell.forward(x, h_prev), cell


def gru_step_backward(dh_next, cache):
    return cache.backward(dh_next)


def gru_forward(x, h0, params):
    cells, hs, h = [], [], h0
    for t in range(x.shape[1]):
        h, cell = gru_step_forward(x[:, t], h, params)
        cells.append(cell)
        hs.append(h)
    return np.stack(hs, axis=1), cells


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dxs, dh_t = [None] * T, np.zeros((N, H))
    grads = {k: 0.0 for k in GRUCell.KEYS}
    for t in reversed(range(T)):
        dxs[t], dh_t, g = gru_step_backward(dh[:, t] + dh_t, cache[t])
        grads = {k: grads[k] + g[k] for k in GRUCell.KEYS}
    return np.stack(dxs, axis=1), dh_t, grads
