"""tanh RNN sequence with `@` on np.ascontiguousarray copies of every time slice and transposed weight, and the hidden states kept in a time-major (T, N, H) buffer transposed back at the end.

expect: none
"""


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    N, T, D = x.shape
    H = h0.shape[1]
    Wx_T = np.ascontiguousarray(W_xh.T)
    Wh_T = np.ascontiguousarray(W_hh.T)
    states = np.empty((T + 1, N, H))
    states[0] = h0
    for t in range(T):
        x_t = np.ascontiguousarray(x[:, t, :])
        states[t + 1] = np.tanh(x_t @ Wx_T + states[t] @ Wh_T + b_h)
    h = np.ascontiguousarray(states[1:].transpose(1, 0, 2))
    return h, {"x": x, "states": states, "W_xh": W_xh, "W_hh": W_hh}


def rnn_backward(dh, cache):
    x, states = cache["x"], cache["states"]
    W_xh, W_hh = cache["W_xh"], cache["W_hh"]
    N, T, H = dh.shape
    D = x.shape[2]
    dx = np.empty((T, N, D))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        da = (np.ascontiguousarray(dh[:, t, :]) + carry) * (1.0 - states[t + 1] ** 2)
        dx[t] = da @ W_xh
        carry = da @ W_hh
        dW_xh += da.T @ np.ascontiguousarray(x[:, t, :])
        dW_hh += da.T @ states[t]
        db_h += da.sum(axis=0)
    return np.ascontiguousarray(dx.transpose(1, 0, 2)), carry, dW_xh, dW_hh, db_h
