"""gru_step_backward forgets the paths from h_prev through the gates z and r in dh_prev.

expect: q5
hint: paths
"""


def gru_step_backward(dh_next, cache):
    hx, rhx, z, r, h_tilde, params = cache
    H = z.shape[1]
    h_prev = hx[:, :H]
    dh_tilde = dh_next * z
    dz = dh_next * (h_tilde - h_prev)
    da_h = dh_tilde * (1 - h_tilde ** 2)
    drhx = da_h @ params["W_h"]
    dr = drhx[:, :H] * h_prev
    da_z = dz * z * (1 - z)
    da_r = dr * r * (1 - r)
    grads = {"W_z": da_z.T @ hx, "b_z": da_z.sum(axis=0),
             "W_r": da_r.T @ hx, "b_r": da_r.sum(axis=0),
             "W_h": da_h.T @ rhx, "b_h": da_h.sum(axis=0)}
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]
    dx = drhx[:, H:] + dhx[:, H:]
    dh_prev = dh_next * (1 - z) + drhx[:, :H] * r
    return dx, dh_prev, grads
