"""The answer key of the RNN-gradients assignment.

Every function of the contract (``../shared/SPEC.md``) is importable from here:

    from solutions import rnn_step_forward, lstm_backward, clip_grad_norm

Letters used in every docstring:
    N  minibatch size          T  sequence length
    D  input size              H  hidden size

Shapes are batch-first; weights map size-A vectors to size-H vectors with
shape (H, A), as in the seeds and PyTorch. Everything is float64 numpy.
This package imports nothing from the rest of the repository.
"""

from .products import chain_product, max_activation_derivative
from .rnn import rnn_step_forward, rnn_step_backward, rnn_forward, rnn_backward
from .gradient_flow import hidden_jacobian, gradient_norms_through_time, decay_rate
from .lstm import lstm_step_forward, lstm_step_backward, lstm_forward, lstm_backward
from .gru import gru_step_forward, gru_step_backward, gru_forward, gru_backward
from .clipping import clip_grad_norm, clip_grad_value
from .activations import sigmoid

__all__ = [
    "chain_product", "max_activation_derivative",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "hidden_jacobian", "gradient_norms_through_time", "decay_rate",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward",
    "clip_grad_norm", "clip_grad_value",
    "sigmoid",
]
