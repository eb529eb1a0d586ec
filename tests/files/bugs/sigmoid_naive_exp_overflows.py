"""The student's own sigmoid, exp(a) / (1 + exp(a)): right on ordinary inputs, NaN (inf / inf) for a above about 709; LSTM and GRU use it.

expect: q4 q5
hint: never exponentiates a large positive number
"""


def sigmoid(x):
    e = np.exp(x)
    return e / (1.0 + e)
