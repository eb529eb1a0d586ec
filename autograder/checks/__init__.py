"""The hidden checks, one module per question (SPEC.md's q0 .. q6).

Each module exposes CHECKS: contract function name -> check(student), a
plain function returning a list of CaseResult. ALL_CHECKS gathers them in
the contract's order, with two kinds of case added to the layer checks:

- saturated.py: pre-activations up to about +-1e3 (overflow-safe tanh and
  sigmoid) for the step forwards, the gated layers and their backwards;
- cost.py: each backward at a size where backprop takes milliseconds and a
  numerical gradient minutes; missing its time limit costs the function
  all its points.

Which cases run, and where the expected values come from, is the active
oracle.Mode: by default the hidden profile and the answer key (hidden.py,
the only module that imports ``solutions``); the public checks
(autograder/public) run this same code under profile.PUBLIC with the
answer key's outputs replayed from recorded data.
"""

from ..spec import FUNCTIONS
from . import q0_products, q1_rnn_step, q2_rnn_sequence, q3_gradient_flow, q4_lstm, q5_gru, q6_clipping
from .cost import with_cost
from .saturated import with_saturated

_MODULES = (q0_products, q1_rnn_step, q2_rnn_sequence, q3_gradient_flow, q4_lstm, q5_gru, q6_clipping)
_BY_NAME = {name: check for m in _MODULES for name, check in m.CHECKS.items()}

_SATURATED = (q1_rnn_step.RNN_STEP, q4_lstm.LSTM_STEP, q4_lstm.LSTM_SEQUENCE, q5_gru.GRU_STEP,
              q5_gru.GRU_SEQUENCE)
_COSTED = (q1_rnn_step.RNN_STEP, q2_rnn_sequence.RNN_SEQUENCE, q4_lstm.LSTM_STEP, q4_lstm.LSTM_SEQUENCE,
           q5_gru.GRU_STEP, q5_gru.GRU_SEQUENCE)
for _layer in _SATURATED:
    _BY_NAME[_layer.forward] = with_saturated(_BY_NAME[_layer.forward], _layer)
    _BY_NAME[_layer.backward] = with_saturated(_BY_NAME[_layer.backward], _layer, backward=True)
for _layer in _COSTED:
    _BY_NAME[_layer.backward] = with_cost(_BY_NAME[_layer.backward], _layer)

ALL_CHECKS = {name: _BY_NAME[name] for name in FUNCTIONS}
