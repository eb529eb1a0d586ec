"""gradient_norms_through_time from the student's own rnn_forward and rnn_backward: for each t, BPTT over the rest of the sequence started at h_{t+1}, with the upstream gradient only at the end, gives dL/dh_{t+1} as dh0 (quadratic in T, but right).

expect: none
"""


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    N, T, D = x.shape
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    norms = np.zeros(T)
    norms[T - 1] = np.linalg.norm(dh_T)
    for t in range(T - 1):
        rest = x[:, t + 1:, :]
        _, cache = rnn_forward(rest, h[:, t, :], W_xh, W_hh, b_h)
        upstream = np.zeros((N, rest.shape[1], h0.shape[1]))
        upstream[:, -1, :] = dh_T
        dh_start = rnn_backward(upstream, cache)[1]
        norms[t] = np.linalg.norm(dh_start)
    return norms
