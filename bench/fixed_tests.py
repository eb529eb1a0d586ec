"""Fixed-input tests for the otter and nbgrader baselines of the benchmark.

The real tools need tests written in their own formats. These are plain
assert-only snippets (no printed output, so no saved outputs are needed):
each builds fixed inputs from a seeded generator, calls student functions,
and compares the results with expected values that were computed here, now,
by running the same snippet against the answer key (``solutions``) and
embedding the values as literals. Nothing of the reference code is pasted.

They are representative in cost of ordinary notebook autograder tests (a
few calls per question on small shapes), not a replacement for
autograder/checks, which also run finite differences, behaviours and
feedback.

    tests = build_tests()          # [FixedTest], expected values filled in
    tests[0].code                  # the test cell's source
"""

from dataclasses import dataclass

import numpy as np

import solutions
from autograder import spec

PRELUDE = '''import numpy as np


def _close(a, b):
    if isinstance(b, dict):
        return isinstance(a, dict) and set(a) == set(b) and all(_close(a[k], b[k]) for k in b)
    if isinstance(b, tuple):
        return isinstance(a, (tuple, list)) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(b, bool):
        return a is b
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))
'''

_SHAPES = "N, T, D, H = 2, 3, 3, 4\n"
_RNN_WEIGHTS = ("W_xh = 0.5 * rng.standard_normal((H, D))\n"
                "W_hh = 0.5 * rng.standard_normal((H, H))\n"
                "b_h = 0.1 * rng.standard_normal(H)\n")


def _gate_params(keys):
    return ("params = {k: (0.5 * rng.standard_normal((H, H + D)) if k.startswith('W') "
            f"else 0.1 * rng.standard_normal(H)) for k in {keys!r}}}\n")


_LSTM = _gate_params(("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o"))
_GRU = _gate_params(("W_z", "b_z", "W_r", "b_r", "W_h", "b_h"))


def _raises(call):
    return f"try:\n    {call}\n    out = False\nexcept ValueError:\n    out = True\n"


# (question, hidden, body). A body sets ``out`` (arrays, floats, bools,
# tuples and dicts of them) from student functions on fixed inputs.
_BODIES = (
    ("q0", False, "out = (chain_product([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]), "
                  "chain_product([1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7]))\n"),
    ("q0", True, "out = tuple(max_activation_derivative(n) for n in ('tanh', 'sigmoid', 'relu'))\n"),
    ("q0", True, _raises("max_activation_derivative('softplus')")),
    ("q1", False, "rng = np.random.default_rng(1)\n" + _SHAPES + _RNN_WEIGHTS
     + "x = rng.standard_normal((N, D))\nh_prev = rng.standard_normal((N, H))\n"
       "out, _ = rnn_step_forward(x, h_prev, W_xh, W_hh, b_h)\n"),
    ("q1", True, "rng = np.random.default_rng(2)\n" + _SHAPES + _RNN_WEIGHTS
     + "x = rng.standard_normal((N, D))\nh_prev = rng.standard_normal((N, H))\n"
       "dh = rng.standard_normal((N, H))\n"
       "h_next, cache = rnn_step_forward(x, h_prev, W_xh, W_hh, b_h)\n"
       "out = (h_next,) + tuple(rnn_step_backward(dh, cache))\n"),
    ("q2", False, "rng = np.random.default_rng(3)\n" + _SHAPES + _RNN_WEIGHTS
     + "x = rng.standard_normal((N, T, D))\nh0 = rng.standard_normal((N, H))\n"
       "out, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)\n"),
    ("q2", True, "rng = np.random.default_rng(4)\n" + _SHAPES + _RNN_WEIGHTS
     + "x = rng.standard_normal((N, T, D))\nh0 = rng.standard_normal((N, H))\n"
       "dh = rng.standard_normal((N, T, H))\n"
       "h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)\n"
       "out = (h,) + tuple(rnn_backward(dh, cache))\n"),
    ("q3", False, "rng = np.random.default_rng(5)\n" + _SHAPES
     + "h_next = np.tanh(rng.standard_normal((N, H)))\nW_hh = rng.standard_normal((H, H))\n"
       "out = hidden_jacobian(h_next, W_hh)\n"),
    ("q3", True, "rng = np.random.default_rng(6)\n" + _SHAPES + _RNN_WEIGHTS
     + "x = rng.standard_normal((N, 6, D))\nh0 = rng.standard_normal((N, H))\n"
       "dh_T = rng.standard_normal((N, H))\n"
       "norms = gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh_T)\n"
       "out = (norms, decay_rate(norms))\n"),
    ("q3", True, _raises("decay_rate(np.array([1.0]))")),
    ("q4", False, "rng = np.random.default_rng(7)\n" + _SHAPES + _LSTM
     + "x = rng.standard_normal((N, D))\nh_prev = rng.standard_normal((N, H))\n"
       "c_prev = rng.standard_normal((N, H))\n"
       "h_next, c_next, _ = lstm_step_forward(x, h_prev, c_prev, params)\n"
       "out = (h_next, c_next)\n"),
    ("q4", True, "rng = np.random.default_rng(8)\n" + _SHAPES + _LSTM
     + "x = rng.standard_normal((N, T, D))\nh0 = rng.standard_normal((N, H))\n"
       "dh = rng.standard_normal((N, T, H))\n"
       "h, cache = lstm_forward(x, h0, params)\n"
       "dx, dh0, grads = lstm_backward(dh, cache)\n"
       "out = (h, dx, dh0, dict(grads))\n"),
    ("q5", False, "rng = np.random.default_rng(9)\n" + _SHAPES + _GRU
     + "x = rng.standard_normal((N, D))\nh_prev = rng.standard_normal((N, H))\n"
       "out, _ = gru_step_forward(x, h_prev, params)\n"),
    ("q5", True, "rng = np.random.default_rng(10)\n" + _SHAPES + _GRU
     + "x = rng.standard_normal((N, T, D))\nh0 = rng.standard_normal((N, H))\n"
       "dh = rng.standard_normal((N, T, H))\n"
       "h, cache = gru_forward(x, h0, params)\n"
       "dx, dh0, grads = gru_backward(dh, cache)\n"
       "out = (h, dx, dh0, dict(grads))\n"),
    ("q6", False, "rng = np.random.default_rng(11)\n"
     + "grads = {'a': 3.0 * rng.standard_normal((3, 4)), 'b': 3.0 * rng.standard_normal(4)}\n"
       "clipped, total = clip_grad_norm(grads, 1.0)\n"
       "out = (dict(clipped), float(total))\n"),
    ("q6", True, "rng = np.random.default_rng(12)\n"
     + "grads = {'a': 3.0 * rng.standard_normal((3, 4)), 'b': 3.0 * rng.standard_normal(4)}\n"
       "out = dict(clip_grad_value(grads, 0.5))\n"),
    ("q6", True, _raises("clip_grad_norm({'a': np.ones(3)}, 0.0)")),
)


@dataclass(frozen=True)
class FixedTest:
    question: str
    index: int            # position among the tests of its question
    hidden: bool
    code: str             # the test's full source (prelude, body, assertion)


def literal(value):
    """Python source that evaluates (with numpy as np) to value."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + "".join(literal(v) + ", " for v in value) + ")"
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r})"
    if isinstance(value, (float, int, np.floating, np.integer)):
        return repr(float(value))
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def reference_namespace():
    return {name: getattr(solutions, name) for name in spec.FUNCTIONS}


def build_tests():
    """Every fixed test with its expected value computed from the answer key."""
    tests, counts = [], {}
    for question, hidden, body in _BODIES:
        namespace = reference_namespace()
        exec(compile(PRELUDE + body, f"<fixed test {question}>", "exec"), namespace)
        code = PRELUDE + "\n\n" + body + f"assert _close(out, {literal(namespace['out'])})\n"
        counts[question] = counts.get(question, 0) + 1
        tests.append(FixedTest(question, counts[question], hidden, code))
    return tests


def by_question(tests):
    out = {}
    for t in tests:
        out.setdefault(t.question, []).append(t)
    return out
