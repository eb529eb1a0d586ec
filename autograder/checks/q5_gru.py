"""q5: the GRU, one step and a sequence, forward and backward."""

import numpy as np

from ..cases import Sizes, gru_params, rng_for
from ..compare import is_float_array
from .common import CaseBuilder
from .layers import Layer, check_backward, check_forward


def _step_inputs(rng, s):
    return {"x": rng.standard_normal((s.N, s.D)), "h_prev": 0.8 * rng.standard_normal((s.N, s.H)),
            "params": gru_params(rng, s)}


def _sequence_inputs(rng, s):
    return {"x": rng.standard_normal((s.N, s.T, s.D)), "h0": 0.8 * rng.standard_normal((s.N, s.H)),
            "params": gru_params(rng, s)}


GRU_STEP = Layer(
    forward="gru_step_forward", backward="gru_step_backward",
    args=("x", "h_prev", "params"),
    outputs=("h_next",), upstream=("dh_next",),
    grads=("dx", "dh_prev", "grads"),
    grad_of=("x", "h_prev", "params"),
    make_inputs=_step_inputs,
)

GRU_SEQUENCE = Layer(
    forward="gru_forward", backward="gru_backward",
    args=("x", "h0", "params"),
    outputs=("h",), upstream=("dh",),
    grads=("dx", "dh0", "grads"),
    grad_of=("x", "h0", "params"),
    make_inputs=_sequence_inputs,
    sequence=True,
    step=GRU_STEP,
    n_state=1,
)


def check_gru_step_forward(student):
    return check_forward(student, GRU_STEP)


def check_gru_step_backward(student):
    return check_backward(student, GRU_STEP) + [_passes_through(student)]


def check_gru_forward(student):
    return check_forward(student, GRU_SEQUENCE)


def check_gru_backward(student):
    return check_backward(student, GRU_SEQUENCE)


def _passes_through(student, sizes=Sizes(N=3, T=1, D=2, H=4)):
    """With z near 0 (b_z = -30, W_z = 0) a step copies h_prev: dL/dh_prev = dL/dh_next."""
    rng = rng_for("gru_step_backward", "z0")
    N, D, H = sizes.N, sizes.D, sizes.H
    params = gru_params(rng, sizes)
    params["W_z"] = np.zeros((H, H + D))
    params["b_z"] = np.full(H, -30.0)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    dh_next = rng.standard_normal((N, H))
    case = CaseBuilder("gru_step_backward", "update gate z near 0", behaviour="passes-through")
    fwd = case.call(student, "gru_step_forward", x, h_prev, params, opaque=(1,))
    if fwd is not None and isinstance(fwd.value, (tuple, list)) and len(fwd.value) == 2:
        bwd = case.call(student, "gru_step_backward", dh_next, fwd.value[1], arg_names=("dh_next", "cache"))
        if bwd is not None and isinstance(bwd.value, (tuple, list)) and len(bwd.value) == 3:
            dh_prev = bwd.value[1]
            ok = (is_float_array(dh_prev, dh_next.shape)
                  and np.allclose(dh_prev, dh_next, rtol=1e-6, atol=1e-9))
            case.check(ok, "with the update gate z near 0 the step copies h_prev, so dL/dh_prev should equal "
                           "dL/dh_next; yours does not (which of z and 1 - z multiplies h_prev?)",
                       behaviour_failed="passes-through")
        elif bwd is not None:
            case.fail("`gru_step_backward` should return (dx, dh_prev, grads)")
    elif fwd is not None:
        case.fail("could not test `gru_step_backward`: `gru_step_forward` does not return (h_next, cache)",
                  status="blocked")
    return case.result()


CHECKS = {
    "gru_step_forward": check_gru_step_forward,
    "gru_step_backward": check_gru_step_backward,
    "gru_forward": check_gru_forward,
    "gru_backward": check_gru_backward,
}
