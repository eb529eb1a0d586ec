"""Every backward pass is a numerical gradient: central differences of the student's own forward.

The gradients are right to about 1e-9, so every small case passes; but each
backward runs the forward twice per input number (one forward per parameter
instead of one backward), which the cost cases catch.

expect: q1 q2 q4 q5
hint: numerical gradient
"""

_STEP = 1e-5


def _numerical_grads(forward, args, douts):
    """dL/d(every argument) of L = sum_i sum(forward(*args)[i] * douts[i]), by central differences."""
    def loss(arguments):
        outs = forward(*arguments)[:len(douts)]
        return sum(float(np.sum(o * d)) for o, d in zip(outs, douts))

    def partials(replace, value):
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += _STEP
            minus[index] -= _STEP
            grad[index] = (loss(replace(plus)) - loss(replace(minus))) / (2 * _STEP)
        return grad

    grads = []
    for i, arg in enumerate(args):
        def put(value, i=i):
            return args[:i] + [value] + args[i + 1:]
        if isinstance(arg, dict):
            grads.append({k: partials(lambda v, k=k, i=i, arg=arg: put({**arg, k: v}, i), arg[k])
                          for k in arg})
        else:
            grads.append(partials(put, arg))
    return tuple(grads)


def _numerical_pair(forward, n_outputs):
    """A forward whose cache is its own arguments, and the backward that differentiates it numerically."""
    def fwd(*args):
        return (*forward(*args)[:n_outputs], list(args))

    def bwd(*douts_and_cache):
        *douts, args = douts_and_cache
        return _numerical_grads(forward, args, douts)
    return fwd, bwd


rnn_step_forward, rnn_step_backward = _numerical_pair(rnn_step_forward, 1)
rnn_forward, rnn_backward = _numerical_pair(rnn_forward, 1)
lstm_step_forward, lstm_step_backward = _numerical_pair(lstm_step_forward, 2)
lstm_forward, lstm_backward = _numerical_pair(lstm_forward, 1)
gru_step_forward, gru_step_backward = _numerical_pair(gru_step_forward, 1)
gru_forward, gru_backward = _numerical_pair(gru_forward, 1)
