"""hidden_jacobian uses 1 - h instead of 1 - h**2 for the tanh derivative.

expect: q3
hint: 1 - h_next**2
"""


def hidden_jacobian(h_next, W_hh):
    N, H = h_next.shape
    J = np.empty((N, H, H))
    for n in range(N):
        J[n] = np.diag(1 - h_next[n]) @ W_hh
    return J
