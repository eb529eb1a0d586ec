"""The RNN backward passes by complex-step differentiation of the student's own forward.

Im(f(w + i*h*e_k)) / h with h = 1e-20 is exact to rounding (no subtraction),
so every small case passes; but it still runs the forward once per input
number, which the cost cases catch. tanh and matrix products work on complex
numbers, so the forward is the student's own, written once for both.

expect: q1 q2
hint: numerical gradient
"""

_STEP = 1e-20


def _complex_step_grads(forward, args, dout):
    """dL/d(every argument) of L = sum(forward(*args)[0] * dout), one complex forward per number."""
    grads = []
    for i, arg in enumerate(args):
        grad = np.zeros(arg.shape)
        for index in np.ndindex(arg.shape):
            shifted = [a.astype(complex) for a in args]
            shifted[i][index] += 1j * _STEP
            grad[index] = np.sum(forward(*shifted)[0] * dout).imag / _STEP
        grads.append(grad)
    return tuple(grads)


def _step(x, h_prev, W_xh, W_hh, b_h):
    return (np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h),)


def _sequence(x, h0, W_xh, W_hh, b_h):
    hs, h = [], h0
    for t in range(x.shape[1]):
        (h,) = _step(x[:, t, :], h, W_xh, W_hh, b_h)
        hs.append(h)
    return (np.stack(hs, axis=1),)


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return _step(x, h_prev, W_xh, W_hh, b_h)[0], [x, h_prev, W_xh, W_hh, b_h]


def rnn_step_backward(dh_next, cache):
    return _complex_step_grads(_step, cache, dh_next)


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return _sequence(x, h0, W_xh, W_hh, b_h)[0], [x, h0, W_xh, W_hh, b_h]


def rnn_backward(dh, cache):
    return _complex_step_grads(_sequence, cache, dh)
