"""The student's own sigmoid written the textbook way, 1 / (1 + np.exp(-x)): exp overflows to inf below x = -709 (a RuntimeWarning) but the value, 0, is right; the LSTM and GRU use it.

expect: none
"""


def sigmoid(x):
    return 1 / (1 + np.exp(-x))
