"""q5: the GRU, one step and a sequence, forward and backward."""

import numpy as np

from ..cases import Sizes, gate_params, gated_inputs
from ..compare import is_float_array
from ..spec import GRU_PARAM_KEYS
from . import oracle
from .common import CaseBuilder
from .layers import Layer, check_backward, check_forward, run_backward


GRU_STEP = Layer(
    forward="gru_step_forward", backward="gru_step_backward",
    args=("x", "h_prev", "params"),
    outputs=("h_next",), upstream=("dh_next",),
    grads=("dx", "dh_prev", "grads"),
    grad_of=("x", "h_prev", "params"),
    make_inputs=lambda rng, s: gated_inputs(rng, s, GRU_PARAM_KEYS, sequence=False),
)

GRU_SEQUENCE = Layer(
    forward="gru_forward", backward="gru_backward",
    args=("x", "h0", "params"),
    outputs=("h",), upstream=("dh",),
    grads=("dx", "dh0", "grads"),
    grad_of=("x", "h0", "params"),
    make_inputs=lambda rng, s: gated_inputs(rng, s, GRU_PARAM_KEYS, sequence=True),
    sequence=True,
    step=GRU_STEP,
    n_state=1,
)


def check_gru_step_forward(student):
    return check_forward(student, GRU_STEP)


def check_gru_step_backward(student):
    behaviours = [_passes_through(student)] if oracle.current().profile.behaviours else []
    return check_backward(student, GRU_STEP) + behaviours


def check_gru_forward(student):
    return check_forward(student, GRU_SEQUENCE)


def check_gru_backward(student):
    return check_backward(student, GRU_SEQUENCE)


def _passes_through(student, sizes=Sizes(N=3, T=1, D=2, H=4)):
    """With z near 0 (b_z = -30, W_z = 0) a step copies h_prev: dL/dh_prev = dL/dh_next."""
    rng = oracle.current().profile.rng("gru_step_backward", "z0")
    N, D, H = sizes.N, sizes.D, sizes.H
    params = gate_params(rng, sizes, GRU_PARAM_KEYS)
    params["W_z"] = np.zeros((H, H + D))
    params["b_z"] = np.full(H, -30.0)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    dh_next = rng.standard_normal((N, H))
    case = CaseBuilder("gru_step_backward", "update gate z near 0", behaviour="passes-through")
    _, grads = run_backward(case, student, GRU_STEP, [x, h_prev, params], [dh_next])
    if grads is not None:
        dh_prev = grads["dh_prev"]
        ok = is_float_array(dh_prev, dh_next.shape) and np.allclose(dh_prev, dh_next, rtol=1e-6, atol=1e-9)
        case.check(ok, "with the update gate z near 0 the step copies h_prev, so dL/dh_prev should equal "
                       "dL/dh_next; yours does not (which of z and 1 - z multiplies h_prev?)",
                   behaviour_failed="passes-through")
    return case.result()


CHECKS = {
    "gru_step_forward": check_gru_step_forward,
    "gru_step_backward": check_gru_step_backward,
    "gru_forward": check_gru_forward,
    "gru_backward": check_gru_backward,
}
