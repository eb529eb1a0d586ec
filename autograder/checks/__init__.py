"""The hidden checks, one module per question (SPEC.md's q0 .. q6).

Each module exposes CHECKS: contract function name -> check(student), a
plain function returning a list of CaseResult. ALL_CHECKS gathers them in
the contract's order.
"""

from ..spec import FUNCTIONS
from . import q0_products, q1_rnn_step, q2_rnn_sequence, q3_gradient_flow, q4_lstm, q5_gru, q6_clipping

_MODULES = (q0_products, q1_rnn_step, q2_rnn_sequence, q3_gradient_flow, q4_lstm, q5_gru, q6_clipping)
_BY_NAME = {name: check for m in _MODULES for name, check in m.CHECKS.items()}
ALL_CHECKS = {name: _BY_NAME[name] for name in FUNCTIONS}
