"""BPTT keeps only one step's weight gradients (assigned, not accumulated), and chain_product adds the factors.

expect: q0 q2
hint q0: product
hint q2: accumulate
"""


def chain_product(factors):
    return float(sum(factors))


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dh_prev, dW_xh, dW_hh, db_h = rnn_step_backward(dh[:, t, :] + dh_prev, cache[t])
    return dx, dh_prev, dW_xh, dW_hh, db_h
