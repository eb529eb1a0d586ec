"""q2: the tanh RNN over a sequence and backpropagation through time."""

import numpy as np

from ..cases import Sizes, orthogonal, rnn_inputs
from ..spec import EXACT_RATE_TOL
from ..compare import is_float_array
from . import oracle
from .common import CaseBuilder
from .layers import Layer, check_backward, check_forward, run_backward
from .q1_rnn_step import RNN_STEP

RNN_SEQUENCE = Layer(
    forward="rnn_forward", backward="rnn_backward",
    args=("x", "h0", "W_xh", "W_hh", "b_h"),
    outputs=("h",), upstream=("dh",),
    grads=("dx", "dh0", "dW_xh", "dW_hh", "db_h"),
    grad_of=("x", "h0", "W_xh", "W_hh", "b_h"),
    make_inputs=lambda rng, s: rnn_inputs(rng, s, sequence=True),
    sequence=True,
    step=RNN_STEP,
)


def check_rnn_forward(student):
    return check_forward(student, RNN_SEQUENCE)


def check_rnn_backward(student):
    rates = oracle.current().profile.bptt_decay_rates
    return check_backward(student, RNN_SEQUENCE) + [_decay_through_bptt(student, a) for a in rates]


def _decay_through_bptt(student, a, sizes=Sizes(N=2, T=8, D=3, H=4)):
    """With x = 0, h0 = 0, b_h = 0 and W_hh = a*Q, BPTT scales dL/dh_T by exactly a**T.

    The state stays 0, tanh' = 1, and every step back multiplies by the
    orthogonal Q times a, so ||dh0|| = a**T * ||dh_T||.
    """
    rng = oracle.current().profile.rng("rnn_backward", "decay", a)
    N, T, D, H = sizes.N, sizes.T, sizes.D, sizes.H
    x, h0, b_h = np.zeros((N, T, D)), np.zeros((N, H)), np.zeros(H)
    W_xh = rng.standard_normal((H, D)) / np.sqrt(D)
    W_hh = a * orthogonal(rng, H)
    dh = np.zeros((N, T, H))
    dh[:, -1, :] = rng.standard_normal((N, H))
    case = CaseBuilder("rnn_backward", f"x = 0, W_hh = {a} * orthogonal, T = {T}",
                       behaviour="decay-rate-exact")
    _, grads = run_backward(case, student, RNN_SEQUENCE, [x, h0, W_xh, W_hh, b_h], [dh])
    if grads is not None:
        dh0 = grads["dh0"]
        ok = (is_float_array(dh0, (N, H))
              and abs(np.linalg.norm(dh0) / np.linalg.norm(dh[:, -1]) - a ** T) <= EXACT_RATE_TOL * a ** T)
        case.check(ok, f"with x = 0 and W_hh = {a} times an orthogonal matrix, ||dh0|| should be "
                       f"{a}**{T} times ||dL/dh_T||; backpropagating through time should multiply by "
                       f"W_hh once per step", behaviour_failed="decay-rate-exact")
    return case.result()


CHECKS = {"rnn_forward": check_rnn_forward, "rnn_backward": check_rnn_backward}
