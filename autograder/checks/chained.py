"""What a student's own functions give when chained the standard way: the
evidence for the "one bug costs once" credits of the sequence checks.

- compose_forward / compose_backward: the student's step forward (backward)
  chained over time, for rnn_forward, lstm_forward, gru_forward and their
  backwards (checks/layers.py);
- chained_norms: the student's rnn_forward and hidden_jacobian chained into
  gradient norms through time (checks/q3_gradient_flow.py);
- cell_from_h0: a known mistake of lstm_forward (Layer.variants), the answer
  key's step chained from c_0 = h0.

Chaining steps is how the sequence functions are written, so this module is
part of the hidden checks only: autograder/public leaves it out of the
bundle, and the public profile (profile.chained False) never asks for it.
"""

import numpy as np

from ..compare import as_float64, is_float_array
from . import oracle


def _split_step_args(layer, args):
    """(x, h0, *weights) of a sequence call -> x, initial state, weights."""
    x, h0, *weights = args
    state = [h0] + [np.zeros_like(h0)] * (layer.n_state - 1)
    return x, state, weights


def _chain_step_forwards(student, layer, args):
    """The student's step forward chained over time.

    Returns (hidden states h_1 .. h_T, step caches), or None if a call fails.
    """
    x, state, weights = _split_step_args(layer, args)
    hs, caches = [], []
    for t in range(x.shape[1]):
        out = student.call(layer.step.forward, x[:, t, :], *state, *weights, opaque=(layer.n_state,))
        if not out.ok or not isinstance(out.value, (tuple, list)) or len(out.value) != layer.n_state + 1:
            return None
        state = list(out.value[:layer.n_state])
        hs.append(state[0])
        caches.append(out.value[-1])
    return hs, caches


def compose_forward(student, layer, args):
    """The sequence forward obtained by chaining the student's step forward; None if a call fails."""
    chained = _chain_step_forwards(student, layer, args)
    states = [as_float64(h, np.shape(args[1])) for h in chained[0]] if chained is not None else [None]
    if any(h is None for h in states):
        return None
    return [np.stack(states, axis=1)]


def compose_backward(student, layer, args, upstream):
    """BPTT obtained by chaining the student's step functions; None if a call fails.

    Whatever the student's steps return, only float arrays of the right
    shapes are combined here; anything else ends the composition.
    """
    chained = _chain_step_forwards(student, layer, args)
    if chained is None:
        return None
    _, caches = chained
    (dh,) = upstream
    N, T, H = np.shape(dh)
    n_weights = len(args) - 2
    d_state = [np.zeros((N, H))] * layer.n_state       # nothing flows back from after h_T
    dx, d_weights = [None] * T, None
    for t in range(T - 1, -1, -1):             # from the last step back to the first
        d_in = [dh[:, t, :] + d_state[0]] + d_state[1:]
        out = student.call(layer.step.backward, *d_in, caches[t])
        if not out.ok or not isinstance(out.value, (tuple, list)) or len(out.value) != 1 + layer.n_state + n_weights:
            return None
        dx[t], *rest = out.value
        d_state = [as_float64(d, (N, H)) for d in rest[:layer.n_state]]
        step_weights = list(rest[layer.n_state:])
        if any(d is None for d in d_state):
            return None
        try:                               # the weights are shared: accumulate over time
            d_weights = step_weights if d_weights is None else [_add(a, b) for a, b in zip(d_weights, step_weights)]
        except (TypeError, ValueError, KeyError):
            return None
    dx = [as_float64(d, np.shape(dx[0])) for d in dx]
    if any(d is None for d in dx):
        return None
    return [np.stack(dx, axis=1), d_state[0], *d_weights]


def _add(a, b):
    if isinstance(a, dict):
        return {k: _add(a[k], b[k]) for k in a}
    a, b = as_float64(a), as_float64(b, np.shape(a))
    if a is None or b is None:
        raise ValueError("not addable gradients")
    return a + b


def chained_norms(student, args):
    """The norms obtained from the student's own rnn_forward and hidden_jacobian,
    chained the standard way; None if a call fails or returns something unusable."""
    x, h0, W_xh, W_hh, b_h, dh_T = args
    N, T, H = x.shape[0], x.shape[1], h0.shape[1]
    fwd = student.call("rnn_forward", x, h0, W_xh, W_hh, b_h, opaque=(1,))
    if not fwd.ok or not isinstance(fwd.value, (tuple, list)) or len(fwd.value) != 2 \
            or not is_float_array(fwd.value[0], (N, T, H)):
        return None
    h = fwd.value[0]
    dh, norms = dh_T, [np.linalg.norm(dh_T)]
    for t in range(T - 1, 0, -1):
        J = student.call("hidden_jacobian", h[:, t, :], W_hh)
        if not J.ok or not is_float_array(J.value, (N, H, H)):
            return None
        dh = np.matmul(dh[:, None, :], J.value)[:, 0, :]
        norms.append(np.linalg.norm(dh))
    return np.array(norms[::-1])


def cell_from_h0(x, h0, params):
    """The hidden states an LSTM gives when its cell state starts from h0 instead of zeros."""
    h_t, c_t, hs = h0, h0, []
    answer_key = oracle.current().oracle
    for t in range(x.shape[1]):
        h_t, c_t, _ = answer_key.call("lstm_step_forward", x[:, t, :], h_t, c_t, params)
        hs.append(h_t)
    return [np.stack(hs, axis=1)]
