"""q1: one step of the tanh RNN, forward and backward."""

from ..cases import rnn_inputs
from .layers import Layer, check_backward, check_forward

RNN_STEP = Layer(
    forward="rnn_step_forward", backward="rnn_step_backward",
    args=("x", "h_prev", "W_xh", "W_hh", "b_h"),
    outputs=("h_next",), upstream=("dh_next",),
    grads=("dx", "dh_prev", "dW_xh", "dW_hh", "db_h"),
    grad_of=("x", "h_prev", "W_xh", "W_hh", "b_h"),
    make_inputs=lambda rng, s: rnn_inputs(rng, s, sequence=False),
)


def check_rnn_step_forward(student):
    return check_forward(student, RNN_STEP)


def check_rnn_step_backward(student):
    return check_backward(student, RNN_STEP)


CHECKS = {"rnn_step_forward": check_rnn_step_forward, "rnn_step_backward": check_rnn_step_backward}
