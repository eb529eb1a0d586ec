"""RNN step and sequence functions that return lists instead of tuples, and a cache that is a list of lists.

expect: none
"""


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h_next = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)
    return [h_next, [x, h_prev, W_xh, W_hh, h_next]]


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = (1 - h_next ** 2) * dh_next
    return [da @ W_xh, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)]


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    states, caches = [], []
    h = h0
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h, W_xh, W_hh, b_h)
        states.append(h)
        caches.append(c)
    return [np.stack(states, axis=1), caches]


def rnn_backward(dh, cache):
    T = dh.shape[1]
    grads = None
    dxs = [None] * T
    carry = np.zeros_like(dh[:, 0])
    for t in reversed(range(T)):
        dx_t, carry, *weights = rnn_step_backward(dh[:, t] + carry, cache[t])
        dxs[t] = dx_t
        grads = weights if grads is None else [a + b for a, b in zip(grads, weights)]
    return [np.stack(dxs, axis=1), carry] + grads
