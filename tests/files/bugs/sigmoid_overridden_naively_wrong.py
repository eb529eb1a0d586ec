"""The student's own sigmoid, 1 / (1 + exp(x)): the sign inside exp is wrong; both LSTM and GRU use it.

expect: q4 q5
hint: sigmoid
"""


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(x))
