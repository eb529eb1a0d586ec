"""gradient_norms_through_time returning a Python list of floats (appended from the last step back, then reversed).

The values are right; only the type breaks SPEC.md (an array of shape (T,)).
It costs the same fixed share as a float32 array with right values, not the
whole function.

expect: q3
hint: values are right; return a float64 array
"""


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    T = h.shape[1]
    norms = [float(np.linalg.norm(dh_T))]
    g = dh_T
    for t in range(T - 1, 0, -1):
        g = (g * (1 - h[:, t] ** 2)) @ W_hh
        norms.append(float(np.linalg.norm(g)))
    return norms[::-1]
