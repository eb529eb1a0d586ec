"""GRU candidate applies the reset gate after the hidden matrix product (PyTorch style), forward only.

expect: q5
hint: before the matrix product
"""


def gru_step_forward(x, h_prev, params):
    H = h_prev.shape[1]
    hx = np.concatenate([h_prev, x], axis=1)
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    W_hh, W_hx = params["W_h"][:, :H], params["W_h"][:, H:]
    h_tilde = np.tanh(x @ W_hx.T + r * (h_prev @ W_hh.T) + params["b_h"])
    h_next = (1 - z) * h_prev + z * h_tilde
    rhx = np.concatenate([r * h_prev, x], axis=1)
    return h_next, (hx, rhx, z, r, h_tilde, params)
