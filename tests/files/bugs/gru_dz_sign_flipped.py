"""gru_step_backward computes dz = dh_next * (h_prev - h~): the sign of the update gate's gradient is flipped.

expect: q5
hint: sign
"""


def gru_step_backward(dh_next, cache):
    hx, rhx, z, r, h_tilde, params = cache
    H = z.shape[1]
    h_prev = hx[:, :H]
    dz = dh_next * (h_prev - h_tilde)
    da_h = dh_next * z * (1 - h_tilde ** 2)
    drhx = da_h @ params["W_h"]
    dr = drhx[:, :H] * h_prev
    da_z = dz * z * (1 - z)
    da_r = dr * r * (1 - r)
    grads = {"W_z": da_z.T @ hx, "b_z": da_z.sum(axis=0),
             "W_r": da_r.T @ hx, "b_r": da_r.sum(axis=0),
             "W_h": da_h.T @ rhx, "b_h": da_h.sum(axis=0)}
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]
    dx = drhx[:, H:] + dhx[:, H:]
    dh_prev = dh_next * (1 - z) + drhx[:, :H] * r + dhx[:, :H]
    return dx, dh_prev, grads
