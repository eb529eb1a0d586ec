"""A planted copy of tests/files/correct/gru_separate_matmuls.py, disguised by hand:
every variable renamed, the functions in another order, other comments, the code
re-spaced (glued @, other line breaks). The similarity report must flag the pair.
"""


def gru_backward(grad_hidden, step_caches):
    # walk back through time, carrying the hidden gradient
    batch, steps, hidden = grad_hidden.shape
    grad_inputs = [None] * steps
    summed = None
    carry = np.zeros((batch, hidden))
    for s in range(steps - 1, -1, -1):
        grad_inputs[s], carry, step_grads = gru_step_backward(grad_hidden[:, s] + carry, step_caches[s])
        summed = step_grads if summed is None else {key: summed[key] + step_grads[key] for key in step_grads}
    return np.stack(grad_inputs, axis=1), carry, summed


def gru_forward(inputs, start, weights):
    states, memo = [], []
    state = start
    for s in range(inputs.shape[1]):
        state, saved = gru_step_forward(inputs[:, s], state, weights)
        states.append(state)
        memo.append(saved)
    return np.stack(states, axis=1), memo


def gru_step_backward(g_out, memo):
    # unpack what the forward pass kept
    inp, prev, upd, rst, cand = memo["x"], memo["h_prev"], memo["z"], memo["r"], memo["h_cand"]
    w = memo["params"]
    n_h = prev.shape[1]
    g_upd = g_out*(cand - prev)
    g_cand = g_out*upd
    g_prev = g_out*(1 - upd)
    g_a_cand = g_cand*(1 - cand**2)
    g_a_upd = g_upd*upd*(1 - upd)
    g_rh = g_a_cand@w["W_h"][:, :n_h]
    g_rst = g_rh*prev
    g_a_rst = g_rst*rst*(1 - rst)
    g_prev = g_prev + g_rh*rst + g_a_upd@w["W_z"][:, :n_h] + g_a_rst@w["W_r"][:, :n_h]
    g_inp = g_a_cand@w["W_h"][:, n_h:] + g_a_upd@w["W_z"][:, n_h:] + g_a_rst@w["W_r"][:, n_h:]
    out = {"W_z": np.hstack([g_a_upd.T@prev, g_a_upd.T@inp]), "b_z": g_a_upd.sum(0),
           "W_r": np.hstack([g_a_rst.T@prev, g_a_rst.T@inp]), "b_r": g_a_rst.sum(0),
           "W_h": np.hstack([g_a_cand.T@(rst*prev), g_a_cand.T@inp]), "b_h": g_a_cand.sum(0)}
    return g_inp, g_prev, out


def gru_step_forward(inp, prev, w):
    # gates computed block by block
    n_h = prev.shape[1]
    Wz, Wr, Wh = w["W_z"], w["W_r"], w["W_h"]
    upd = sigmoid(prev@Wz[:, :n_h].T + inp@Wz[:, n_h:].T + w["b_z"])
    rst = sigmoid(prev@Wr[:, :n_h].T + inp@Wr[:, n_h:].T + w["b_r"])
    cand = np.tanh((rst*prev)@Wh[:, :n_h].T + inp@Wh[:, n_h:].T + w["b_h"])
    nxt = (1 - upd)*prev + upd*cand
    memo = {"x": inp, "h_prev": prev, "z": upd, "r": rst, "h_cand": cand, "params": w}
    return nxt, memo
