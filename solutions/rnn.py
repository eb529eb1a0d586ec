"""Part 1: the tanh RNN, one step and a whole sequence, forward and backward.

One step for a minibatch (rows are samples):

    a_t = x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h        (N, H)
    h_t = tanh(a_t)

which is the seeds' h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h) written for
row vectors.
"""

import numpy as np


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    """One time step of a tanh RNN.

    Inputs:
    - x: input at this step, shape (N, D)
    - h_prev: hidden state of the previous step, shape (N, H)
    - W_xh: input-to-hidden weights, shape (H, D)
    - W_hh: hidden-to-hidden weights, shape (H, H)
    - b_h: bias, shape (H,)

    Returns a tuple of:
    - h_next: next hidden state, shape (N, H)
    - cache: values needed by rnn_step_backward
    """
    a = x @ W_xh.T + h_prev @ W_hh.T + b_h
    h_next = np.tanh(a)
    cache = (x, h_prev, W_xh, W_hh, h_next)
    return h_next, cache


def rnn_step_backward(dh_next, cache):
    """Backward pass of one tanh RNN step.

    Inputs:
    - dh_next: gradient of the loss with respect to h_next, shape (N, H)
    - cache: from rnn_step_forward

    Returns a tuple of:
    - dx: shape (N, D)
    - dh_prev: shape (N, H)
    - dW_xh: shape (H, D)
    - dW_hh: shape (H, H)
    - db_h: shape (H,)
    """
    x, h_prev, W_xh, W_hh, h_next = cache
    # h_next = tanh(a): the derivative is taken at this step's output,
    # tanh'(a) = 1 - h_next**2 (not at h_prev).
    da = dh_next * (1.0 - h_next ** 2)            # (N, H)
    # a = x @ W_xh.T + h_prev @ W_hh.T + b_h: a matrix product's backward.
    dx = da @ W_xh                                # (N, H) @ (H, D) -> (N, D)
    dh_prev = da @ W_hh                           # (N, H) @ (H, H) -> (N, H)
    dW_xh = da.T @ x                              # (H, N) @ (N, D) -> (H, D)
    dW_hh = da.T @ h_prev                         # (H, N) @ (N, H) -> (H, H)
    # b_h was broadcast over the N rows, so its gradient sums over them.
    db_h = da.sum(axis=0)                         # (H,)
    return dx, dh_prev, dW_xh, dW_hh, db_h


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    """Run a tanh RNN over a whole sequence.

    Inputs:
    - x: inputs, shape (N, T, D)
    - h0: initial hidden state, shape (N, H)
    - W_xh: shape (H, D); W_hh: shape (H, H); b_h: shape (H,)

    Returns a tuple of:
    - h: hidden states h_1 .. h_T, shape (N, T, H) (h0 is not included)
    - cache: values needed by rnn_backward
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H))
    step_caches = []
    h_t = h0
    for t in range(T):
        h_t, step_cache = rnn_step_forward(x[:, t, :], h_t, W_xh, W_hh, b_h)
        h[:, t, :] = h_t
        step_caches.append(step_cache)
    return h, step_caches


def rnn_backward(dh, cache):
    """Backpropagation through time for a tanh RNN.

    Inputs:
    - dh: upstream gradient arriving at every hidden state h_1 .. h_T,
      shape (N, T, H) (for example from an output layer at each step)
    - cache: from rnn_forward

    Returns a tuple of:
    - dx: shape (N, T, D)
    - dh0: gradient with respect to the initial state, shape (N, H)
    - dW_xh: shape (H, D); dW_hh: shape (H, H); db_h: shape (H,)
    """
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]
    dx = np.empty((N, T, D))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros(H)
    dh_from_later = np.zeros((N, H))   # dL/dh_t through h_{t+1}; none after h_T
    for t in reversed(range(T)):
        # h_t feeds both the loss at step t and the next step: add both paths.
        dh_t = dh[:, t, :] + dh_from_later
        dx_t, dh_from_later, dW_xh_t, dW_hh_t, db_h_t = rnn_step_backward(dh_t, step_caches[t])
        dx[:, t, :] = dx_t
        # The weights are shared by every step, so their gradients accumulate.
        dW_xh += dW_xh_t
        dW_hh += dW_hh_t
        db_h += db_h_t
    dh0 = dh_from_later
    return dx, dh0, dW_xh, dW_hh, db_h
