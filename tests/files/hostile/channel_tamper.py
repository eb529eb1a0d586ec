"""Tampers with the grader's channel from inside the child.

Trick: finds the worker's reply pipe (gc, /proc/self/fd) and writes forged
replies: one with a guessed nonce that claims a perfect result, and plain
garbage. Frames with the wrong nonce or sequence number are dropped;
garbage is a crash of that call only. A forged reply with the right nonce
(which the child can find in its own memory) is equivalent to returning
that value, so it gains nothing.
"""
import gc
import json
import os
import struct

import numpy as np


def _worker():
    for obj in gc.get_objects():
        if type(obj).__name__ == "Worker" and hasattr(obj, "wfd"):
            return obj
    return None


def _frame(header):
    header["blobs"] = []
    text = json.dumps(header).encode()
    return b"RGS1" + struct.pack(">IQ", len(text), 0) + text


# ---- the SPEC.md functions, answered trivially (zeros of the right shape) ----

def chain_product(factors):
    return 0.0


def max_activation_derivative(name):
    return 0.0


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return np.zeros_like(h_prev), (x, h_prev, W_xh, W_hh)


def rnn_step_backward(dh_next, cache):
    x, h_prev, W_xh, W_hh = cache
    return (np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(W_xh),
            np.zeros_like(W_hh), np.zeros(W_hh.shape[0]))


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return np.zeros(x.shape[:2] + h0.shape[1:]), (x, h0, W_xh, W_hh)


def rnn_backward(dh, cache):
    x, h0, W_xh, W_hh = cache
    return (np.zeros_like(x), np.zeros_like(h0), np.zeros_like(W_xh),
            np.zeros_like(W_hh), np.zeros(W_hh.shape[0]))


def hidden_jacobian(h_next, W_hh):
    N, H = h_next.shape
    return np.zeros((N, H, H))


def gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T):
    return np.zeros(x.shape[1])


def decay_rate(norms):
    return 0.0


def _zero_grads(params):
    return {k: np.zeros_like(v) for k, v in params.items()}


def lstm_step_forward(x, h_prev, c_prev, params):
    return np.zeros_like(h_prev), np.zeros_like(c_prev), (x, h_prev, params)


def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, params = cache
    return np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(h_prev), _zero_grads(params)


def lstm_forward(x, h0, params):
    return np.zeros(x.shape[:2] + h0.shape[1:]), (x, h0, params)


def lstm_backward(dh, cache):
    x, h0, params = cache
    return np.zeros_like(x), np.zeros_like(h0), _zero_grads(params)


def gru_step_forward(x, h_prev, params):
    return np.zeros_like(h_prev), (x, h_prev, params)


def gru_step_backward(dh_next, cache):
    x, h_prev, params = cache
    return np.zeros_like(x), np.zeros_like(h_prev), _zero_grads(params)


def gru_forward(x, h0, params):
    return np.zeros(x.shape[:2] + h0.shape[1:]), (x, h0, params)


def gru_backward(dh, cache):
    x, h0, params = cache
    return np.zeros_like(x), np.zeros_like(h0), _zero_grads(params)


def clip_grad_norm(grads, max_norm):
    return _zero_grads(grads), 0.0


def clip_grad_value(grads, clip_value):
    return _zero_grads(grads)


def forge_wrong_nonce():
    w = _worker()
    os.write(w.wfd, _frame({"n": "0" * 32, "s": w.seq, "r": "ok", "v": 42, "m": []}))
    os.write(w.wfd, _frame({"n": w.nonce, "s": w.seq + 7, "r": "ok", "v": 43, "m": []}))
    return 0


def garbage():
    w = _worker()
    os.write(w.wfd, b"garbage that is not a frame" * 10)
    return 0


def fake_json_stdout():
    print(json.dumps({"r": "ok", "v": 100, "n": "x", "s": 1}))
    return 0


def hide_mutation(d):
    """Mutate an argument and patch the worker's check so it is not reported."""
    import autograder.student as s
    import autograder.sandbox.worker as wk
    wk.changed_paths = lambda *a, **k: []
    d["W_f"][...] = 99.0
    return 0


def close_channel():
    w = _worker()
    os.close(w.wfd)
    return 0
