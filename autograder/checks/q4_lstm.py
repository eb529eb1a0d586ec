"""q4: the LSTM, one step and a sequence, forward and backward."""

import numpy as np

from ..cases import Sizes, gated_inputs
from ..compare import is_float_array
from ..spec import LSTM_PARAM_KEYS
from . import oracle
from .common import CaseBuilder
from .layers import Layer, check_backward, check_forward, run_backward


LSTM_STEP = Layer(
    forward="lstm_step_forward", backward="lstm_step_backward",
    args=("x", "h_prev", "c_prev", "params"),
    outputs=("h_next", "c_next"), upstream=("dh_next", "dc_next"),
    grads=("dx", "dh_prev", "dc_prev", "grads"),
    grad_of=("x", "h_prev", "c_prev", "params"),
    make_inputs=lambda rng, s: gated_inputs(rng, s, LSTM_PARAM_KEYS, sequence=False, cell=True),
)

LSTM_SEQUENCE = Layer(
    forward="lstm_forward", backward="lstm_backward",
    args=("x", "h0", "params"),
    outputs=("h",), upstream=("dh",),
    grads=("dx", "dh0", "grads"),
    grad_of=("x", "h0", "params"),
    make_inputs=lambda rng, s: gated_inputs(rng, s, LSTM_PARAM_KEYS, sequence=True),
    sequence=True,
    step=LSTM_STEP,
    n_state=2,
    variants=(("c0-from-h0", "it is what starting the cell state from h0 gives", "cell_from_h0"),),
)


def check_lstm_step_forward(student):
    return check_forward(student, LSTM_STEP)


def check_lstm_step_backward(student):
    return check_backward(student, LSTM_STEP)


def check_lstm_forward(student):
    return check_forward(student, LSTM_SEQUENCE)


def check_lstm_backward(student):
    behaviours = [_keeps_gradient(student)] if oracle.current().profile.behaviours else []
    return check_backward(student, LSTM_SEQUENCE) + behaviours


def _keeps_gradient(student, sizes=Sizes(N=2, T=30, D=3, H=32)):
    """Forget gates near 1 (bias +5, small weights): dL/dh_0 keeps over a tenth of dL/dh_T.

    The gradient reaches h_0 through the cell path (multiplied by f ~ 0.993
    per step) and then the gates' hidden weights; H = 32 makes that last hop
    large enough for the reference (ratio about 0.3 here), while an LSTM
    without the dc path loses the gradient geometrically (below 1e-10).
    """
    rng = oracle.current().profile.rng("lstm_backward", "keeps")
    N, T, D, H = sizes.N, sizes.T, sizes.D, sizes.H
    params = {k: 0.1 * rng.standard_normal((H, H + D) if k.startswith("W") else H)
              for k in LSTM_PARAM_KEYS}
    params["b_f"] = np.full(H, 5.0)
    x, h0 = rng.standard_normal((N, T, D)), 0.1 * rng.standard_normal((N, H))
    dh = np.zeros((N, T, H))
    dh[:, -1, :] = rng.standard_normal((N, H))
    case = CaseBuilder("lstm_backward", f"forget bias +5, T = {T}", behaviour="keeps-gradient")
    _, grads = run_backward(case, student, LSTM_SEQUENCE, [x, h0, params], [dh])
    if grads is not None:
        dh0 = grads["dh0"]
        ok = is_float_array(dh0, (N, H)) and np.linalg.norm(dh0) > 0.1 * np.linalg.norm(dh[:, -1])
        case.check(ok, f"with forget gates near 1 the gradient should survive {T} steps back through "
                       "the cell state (over a tenth of its size), and yours does not: check the "
                       "dc path from one step to the previous", behaviour_failed="keeps-gradient")
    return case.result()


CHECKS = {
    "lstm_step_forward": check_lstm_step_forward,
    "lstm_step_backward": check_lstm_step_backward,
    "lstm_forward": check_lstm_forward,
    "lstm_backward": check_lstm_backward,
}
