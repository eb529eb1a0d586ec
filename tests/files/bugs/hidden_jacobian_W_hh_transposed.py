"""hidden_jacobian uses W_hh.T: diag(1 - h**2) @ W_hh.T.

expect: q3
hint: not W_hh.T
"""


def hidden_jacobian(h_next, W_hh):
    d = 1 - h_next ** 2
    return d[:, :, None] * W_hh.T[None, :, :]
