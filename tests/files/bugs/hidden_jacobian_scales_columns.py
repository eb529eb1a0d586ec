"""hidden_jacobian scales the columns of W_hh (W_hh @ diag(1 - h**2)) instead of its rows.

expect: q3
hint: row i
"""


def hidden_jacobian(h_next, W_hh):
    N, H = h_next.shape
    J = np.zeros((N, H, H))
    for n in range(N):
        J[n] = W_hh @ np.diag(1 - h_next[n] ** 2)
    return J
