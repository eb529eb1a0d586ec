"""The contract of ../shared/SPEC.md as data, and the grading policy.

Nothing here runs student code; front ends and checks read it.
"""

from dataclasses import dataclass

GRADER_VERSION = "0.1.0"


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    points: dict          # function name -> points for that function


QUESTIONS = (
    Question("q0", "Products of local gradient factors",
             {"chain_product": 2.5, "max_activation_derivative": 2.5}),
    Question("q1", "tanh RNN step", {"rnn_step_forward": 5.0, "rnn_step_backward": 10.0}),
    Question("q2", "tanh RNN over a sequence (BPTT)", {"rnn_forward": 5.0, "rnn_backward": 10.0}),
    Question("q3", "Gradient flow through time",
             {"hidden_jacobian": 4.0, "gradient_norms_through_time": 6.0, "decay_rate": 5.0}),
    Question("q4", "LSTM", {"lstm_step_forward": 4.0, "lstm_step_backward": 7.0,
                            "lstm_forward": 3.0, "lstm_backward": 6.0}),
    Question("q5", "GRU", {"gru_step_forward": 4.0, "gru_step_backward": 7.0,
                           "gru_forward": 3.0, "gru_backward": 6.0}),
    Question("q6", "Gradient clipping", {"clip_grad_norm": 6.0, "clip_grad_value": 4.0}),
)

QUESTION_IDS = tuple(q.id for q in QUESTIONS)
FUNCTIONS = tuple(name for q in QUESTIONS for name in q.points)
MAX_SCORE = sum(sum(q.points.values()) for q in QUESTIONS)


def question_of(function):
    """The question id a contract function belongs to."""
    for q in QUESTIONS:
        if function in q.points:
            return q.id
    raise KeyError(function)


# Tolerances (SPEC.md, "Tolerances the autograder uses").
FORWARD_TOL = 1e-7
GRADIENT_TOL = 1e-6
EXACT_RATE_TOL = 1e-6
APPROX_RATE_REL_TOL = 0.05

# Policy: a backward pass whose values are wrong against the reference only
# because the student's own forward is wrong, but which is the exact
# derivative of that forward, keeps this share of its points (one bug costs
# points once).
CONSISTENT_BACKWARD_CREDIT = 0.75

LSTM_PARAM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
GRU_PARAM_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")

# Policy: a case where the function changed an input in place keeps this
# share of its points (SPEC: student functions must not modify their inputs).
MUTATION_CREDIT = 0.5

# Policy: SPEC.md asks for float64. An array output of another float dtype
# (float32 from a `dtype='f'` buffer or an `.astype`) costs this share of
# the case, once however many outputs have it, the same for forwards and
# backwards; its values are then judged at DTYPE_VALUE_TOL, not at the
# float64 tolerances. A quarter: the maths is done, but float32 values break
# whatever is checked to 1e-6 after them (a gradient check, the next step).
DTYPE_PENALTY = 0.25
# Largest relative error of a float32 output's values still called right:
# a whole computation in float32 stays below 1e-3 on every case here
# (measured: at most 2e-4), while the catalogue's bugs are far above it.
DTYPE_VALUE_TOL = 1e-3
