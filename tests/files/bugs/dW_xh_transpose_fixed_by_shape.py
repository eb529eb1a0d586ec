"""dW_xh computed as x.T @ da and transposed only "if the shape is wrong": wrong exactly when D == H.

expect: q1
also: q2
hint: transpose
"""


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = dh_next * (1 - h_next ** 2)
    dx = da @ W_xh
    dh_prev = da @ W_hh
    dW_xh = x.T @ da
    if dW_xh.shape != W_xh.shape:
        dW_xh = dW_xh.T
    dW_hh = da.T @ h_prev
    db_h = da.sum(axis=0)
    return dx, dh_prev, dW_xh, dW_hh, db_h
