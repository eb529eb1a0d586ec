"""The student's own sigmoid, written as (1 + tanh(x / 2)) / 2 (stable, no overflow); LSTM and GRU use it.

expect: none
"""


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))
