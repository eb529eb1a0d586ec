"""db_h returned per sample, shape (N, H): not summed over the batch.

expect: q1
also: q2
hint: summed over the batch
"""


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh, h_next = cache
    da = dh_next * (1 - h_next ** 2)
    dx = da @ W_xh
    dh_prev = da @ W_hh
    dW_xh = da.T @ x
    dW_hh = da.T @ h_prev
    db_h = da
    return dx, dh_prev, dW_xh, dW_hh, db_h
