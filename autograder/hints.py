"""The hint catalogue: from what the checks found to advice a student can act on.

    hints_for(finding) -> list[str]

Each rule names a contract function, a predicate over its Finding
(autograder/findings.py) and a static text. Texts point at the mistake
("the tanh derivative belongs to h_next") and never contain reference
values or reference code: they are written once, here, for every student.

Three kinds of rules, tried in this order:
- RULES: specific to one function and one shape of evidence;
- OUTPUT_RULES: a pattern tag on any output of any function ("sign",
  "transpose", a factor of N, not float64, ...); the text names the output;
- FALLBACKS: one per function, used only when no specific rule matched.

A function whose wrong values are fully explained by another function
(its gradients are the exact derivative of the student's own wrong forward,
or a sequence function chains a wrong step correctly) gets no function
hints: the feedback already says to fix the other function first.
"""

from dataclasses import dataclass
from typing import Callable

from .findings import Finding

# Statuses for which hints say nothing: the feedback already says what to do.
_SILENT = ("ok", "missing")


@dataclass(frozen=True)
class Rule:
    """A hint for one function (or every function when function is None)."""
    function: str | None
    when: Callable[[Finding], bool]
    text: str


@dataclass(frozen=True)
class OutputRule:
    """A hint for any output carrying one of some pattern tags; ``{output}`` is filled in."""
    tags: tuple
    text: str
    when: Callable[[Finding, str], bool] = lambda f, output: True


# ---------------------------------------------------------------------------
# Predicates

def _wrong(*outputs):
    return lambda f: all(o in f.wrong_outputs for o in outputs)


def _any_wrong(*outputs):
    return lambda f: any(o in f.wrong_outputs for o in outputs)


def _only_wrong(*outputs):
    """Exactly these outputs are wrong (at least one is) and the others right."""
    wanted = set(outputs)
    return lambda f: bool(f.wrong_outputs) and f.wrong_outputs <= wanted


def _right(*outputs):
    return lambda f: all(o in f.right_outputs for o in outputs)


def _all(*preds):
    return lambda f: all(p(f) for p in preds)


def _failed(*behaviours):
    return lambda f: any(b in f.failed_behaviours for b in behaviours)


def _prefixed_wrong(prefix):
    return lambda f: any(o.startswith(prefix) for o in f.wrong_outputs)


def _only_when(feature):
    return lambda f: feature in f.only_when


def _tag_anywhere(tag):
    return lambda f: any(tag in tags for tags in f.patterns.values())


def _grads(*gates):
    return tuple(f"grads['{k}_{g}']" for g in gates for k in ("W", "b"))


def _factor_or_transpose(f, output):
    """The output's error already has a name (a factor, a transpose): other causes are unlikely."""
    return any(t == "transpose" or t.startswith("scale:") for t in f.patterns.get(output, ()))


def _weights_wrong_only(weight_outputs, state_outputs):
    """Weight gradients wrong while the state gradients (dx, dh0) are right."""
    return _all(lambda f: bool(f.wrong_outputs) and f.wrong_outputs <= set(weight_outputs),
                _right(*state_outputs))


def _order_of_bptt(f):
    """dx wrong in a way that only time can explain."""
    return "dx" in f.wrong_outputs and ("T>1" in f.only_when
                                        or "all-but-last-step" in f.patterns.get("dx", set()))


# ---------------------------------------------------------------------------
# Texts shared by several functions

ACCUMULATE = ("The weights are shared by every step: accumulate their gradients over time (+= into "
              "arrays that start at zero) instead of assigning the last step's, and do not average them.")
BPTT_ORDER = ("Backpropagation through time runs from the last step back to the first (t = T-1 down "
              "to 0), and the gradient at h_t is dh[:, t] plus the gradient coming back from step t+1 "
              "(the dh_prev that step's backward returned).")
DH0 = ("dh0 is the gradient leaving the first step's backward (its dh_prev), the one that flows into "
       "h0: return that, not zeros and not the gradient arriving at h_1.")
CARRY_STATE = ("Carry the state: every step starts from the state the previous step returned; only the "
               "first step starts from h0.")
NO_H0_IN_H = "h holds the states h_1 .. h_T, shape (N, T, H): h0 is not included."
IN_PLACE = ("Never write into an argument in place (no +=, *= or slice assignment on it): the caller "
            "still needs its values. Build new arrays, or work on a copy.")
CONTAINER_CHANGED = ("Leave a dict or list you were given (grads, params, a cache) as it was: no assignment "
                     "to its entries (d[k] = ...), no .pop(), .append() or del on it, and no +=, *= or slice "
                     "assignment on its arrays, which changes them in place. Build new ones and return those.")
RAISE_NONPOSITIVE = "Raise ValueError when {limit} <= 0; test `not {limit} > 0`, which also rejects NaN."


def _sequence_rules(layer, weight_grads, carries_h_only=True):
    """The rules every sequence pair shares (rnn, lstm, gru); with
    carries_h_only, also those of a layer whose only state is h."""
    forward, backward = f"{layer}_forward", f"{layer}_backward"
    rules = [
        Rule(forward, lambda f: f.pattern("h", "extra-time-step"), NO_H0_IN_H),
        Rule(backward, _weights_wrong_only(weight_grads, ("dx", "dh0")), ACCUMULATE),
        Rule(backward, _only_wrong("dh0"), DH0),
    ]
    if carries_h_only:
        rules += [
            Rule(forward, _all(_wrong("h"), lambda f: not f.pattern("h", "shape"), _only_when("T>1")),
                 CARRY_STATE),
            Rule(backward, _order_of_bptt, BPTT_ORDER),
        ]
    return tuple(rules)


RULES = (
    # q0 ------------------------------------------------------------------
    Rule("chain_product", _wrong("product"),
         "The gradient along a backward path is the product of its local factors: start from one, "
         "multiply by every factor, and return only after the loop."),
    Rule("max_activation_derivative", lambda f: any(o.startswith("max ") for o in f.wrong_outputs),
         "Find where each derivative is largest: tanh'(a) = 1 - tanh(a)**2 peaks at a = 0; "
         "sigmoid'(a) = s * (1 - s) with s = sigmoid(a) peaks where s = 1/2 (evaluate s * (1 - s) "
         "there, not s itself); relu'(a) is either 0 or 1."),
    Rule("max_activation_derivative", _failed("raises-on-unknown-name"),
         "Raise ValueError for an activation name it does not know instead of returning a number."),

    # q1 ------------------------------------------------------------------
    Rule("rnn_step_forward", _wrong("h_next"),
         "h_next = tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h): each weight has shape (H, input size), "
         "so it is transposed when it multiplies the rows of x or h_prev; keep the bias b_h and the tanh."),
    Rule("rnn_step_backward", _wrong("dx", "dh_prev", "dW_xh", "dW_hh", "db_h"),
         "Every gradient goes through da = dh_next * tanh'(a) with tanh'(a) = 1 - h_next**2: the "
         "derivative belongs to h_next, this step's output, not to h_prev; h_next is already tanh(a), "
         "so do not apply tanh to it again; and multiply by it, do not divide."),
    Rule("rnn_step_backward", _all(_only_wrong("dW_hh"), lambda f: not _factor_or_transpose(f, "dW_hh")),
         "dW_hh pairs da with the state that entered the step: dW_hh = da.T @ h_prev, not h_next."),
    Rule("rnn_step_backward", _all(_only_wrong("dW_xh"), lambda f: not _factor_or_transpose(f, "dW_xh")),
         "dW_xh pairs da with this step's input: dW_xh = da.T @ x, shape (H, D)."),
    Rule("rnn_step_backward", _only_wrong("dh_prev"),
         "The forward uses h_prev @ W_hh.T, so its backward is dh_prev = da @ W_hh "
         "(the transpose goes away); shape (N, H)."),
    Rule("rnn_step_backward", _only_wrong("dx"),
         "The forward uses x @ W_xh.T, so its backward is dx = da @ W_xh; shape (N, D)."),
    Rule("rnn_step_backward",
         _all(_wrong("db_h"), lambda f: "N>1" in f.only_when or bool(
             f.patterns.get("db_h", set()) & {"shape", "scale:N", "scale:1/N"})),
         "db_h must be summed over the batch (axis 0): b_h is added to every row, so the rows' "
         "gradients add up; a mean, or one row per sample, is wrong."),

    # q2 ------------------------------------------------------------------
    *_sequence_rules("rnn", ("dW_xh", "dW_hh", "db_h")),

    # q3 ------------------------------------------------------------------
    Rule("hidden_jacobian", _wrong("J"),
         "J[n] = diag(1 - h_next[n]**2) @ W_hh: row i of W_hh is scaled by the tanh derivative of "
         "unit i (not W_hh.T, not its columns), and that derivative is 1 - h_next**2 because h_next "
         "already is the tanh output."),
    Rule("gradient_norms_through_time", lambda f: f.pattern("norms", "values"),
         "norms[t] is one norm over the whole batch (Frobenius) of dL/dh_{t+1}, so norms[T-1] = "
         "||dh_T|| and norms[0] belongs to h_1. One step back multiplies the row vectors by the "
         "Jacobian of the later step, whose tanh derivative is taken at h_t, that step's own output. "
         "Only the last state feeds the loss: nothing is added on the way back."),
    Rule("gradient_norms_through_time", lambda f: f.pattern("norms", "shape"),
         "norms holds one number per time step, shape (T,), computed from h_1 .. h_T."),
    Rule("gradient_norms_through_time",
         _all(_failed("decay-rate-exact", "ratio-bounded"), lambda f: "norms" not in f.wrong_outputs),
         "Going back one step must multiply the gradient by W_hh once (through the tanh derivative), "
         "no more and no less."),
    Rule("decay_rate", lambda f: "values" in f.patterns.get("rate", set()) and "rate" in f.wrong_outputs,
         "Fit a least-squares line through every norm: log(norms[t]) against k = T-1-t, the number "
         "of steps back from the end, and return exp(slope) with the natural log (np.log), so that "
         "exactly geometric norms give back their ratio; a gradient that shrinks going back gives a "
         "rate below 1."),
    Rule("decay_rate", _failed("raises-on-bad-norms"),
         "Raise ValueError for fewer than two norms and for a norm that is zero, negative or not "
         "finite (the logarithm needs positive numbers)."),

    # q4 ------------------------------------------------------------------
    Rule("lstm_step_forward", _any_wrong("h_next", "c_next"),
         "The gates f, i, o are sigmoids and the candidate c~ a tanh, each with its own weights "
         "(W_f and b_f for f, W_i for i, W_c for c~, W_o for o) acting on [h_prev, x], hidden part "
         "first; then c = f * c_prev + i * c~ and h = o * tanh(c)."),
    Rule("lstm_step_backward",
         _all(_right("grads['W_o']", "grads['b_o']"), _wrong("dc_prev")),
         "The cell gradient has two sources: dc_next, from the later step, plus the path through "
         "h = o * tanh(c), whose derivative is taken at tanh(c) (1 - tanh(c)**2, not 1 - c**2)."),
    Rule("lstm_step_backward",
         _all(_right("grads['W_c']", "grads['b_c']"), _any_wrong(*_grads("f", "i", "o"))),
         "Each sigmoid gate needs its derivative: the gradient of its pre-activation is the gradient "
         "of the gate times s * (1 - s), with s the gate's value."),
    Rule("lstm_forward", lambda f: f.pattern("h", "c0-from-h0"),
         "Start from c_0 = 0 (zeros, not h0): the cell state has no initial value of its own."),
    Rule("lstm_forward", _all(_wrong("h"), lambda f: not f.pattern("h", "shape"), _only_when("T>1")),
         "Carry both states: every step starts from the h and the c the previous step returned."),
    *_sequence_rules("lstm", _grads("f", "i", "c", "o"), carries_h_only=False),
    Rule("lstm_backward",
         _all(_any_wrong("dx", "dh0"), lambda f: _order_of_bptt(f) or _failed("keeps-gradient")(f)),
         "Carry both gradients back through time: step t's backward gets dh[:, t] plus the dh_prev of "
         "step t+1, and the dc_prev of step t+1 as its dc_next (zeros only at the last step)."),

    # q5 ------------------------------------------------------------------
    Rule("gru_step_forward", _wrong("h_next"),
         "This assignment uses the seeds' convention h = (1 - z) * h_prev + z * h~ (PyTorch's nn.GRU "
         "swaps z and 1 - z); z and r are sigmoids of [h_prev, x], and the reset gate multiplies h_prev "
         "before the matrix product: h~ = tanh(W_h [r * h_prev, x] + b_h)."),
    Rule("gru_step_backward", _only_wrong("dh_prev"),
         "h_prev reaches h_next along four paths: directly through (1 - z), through z, through r, "
         "and through r * h_prev inside the candidate; dh_prev is the sum of all four."),
    *_sequence_rules("gru", _grads("z", "r", "h")),

    # q6 ------------------------------------------------------------------
    Rule("clip_grad_norm", _wrong("total_norm"),
         "total_norm is the global L2 norm of all arrays together (the square root of the sum of "
         "every element's square), measured before clipping."),
    Rule("clip_grad_norm", _failed("keeps-direction"),
         "Clipping by norm keeps the direction: scale every array by one common factor, "
         "max_norm / total_norm, computed from the global norm of all arrays together "
         "(not array by array, and not by clamping elements)."),
    Rule("clip_grad_norm", _failed("norm-equals-max"),
         "After clipping, the global norm of the result equals max_norm: the factor is "
         "max_norm / total_norm, with total_norm the L2 norm of all elements of all arrays together."),
    Rule("clip_grad_norm", _failed("unchanged-below-max"),
         "Clip only when total_norm > max_norm; otherwise return unchanged copies of the arrays."),
    Rule("clip_grad_norm", _failed("raises-on-nonpositive"), RAISE_NONPOSITIVE.format(limit="max_norm")),
    Rule("clip_grad_norm", _failed("raises-on-nonfinite"),
         "Raise ValueError when the total norm is not finite (NaN or inf): any comparison with NaN "
         "is False, so test np.isfinite explicitly."),
    Rule("clip_grad_value", _prefixed_wrong("clipped"),
         "Clamp on both sides: every element ends up in [-clip_value, clip_value]."),
    Rule("clip_grad_value", _failed("raises-on-nonpositive"), RAISE_NONPOSITIVE.format(limit="clip_value")),

    # any function ------------------------------------------------------------
    Rule(None, lambda f: any("[" not in m for m in f.mutated_inputs), IN_PLACE),
    Rule(None, lambda f: any("[" in m for m in f.mutated_inputs), CONTAINER_CHANGED),
)


def _is_gradient(output):
    return output.startswith(("d", "grads[", "clipped["))


OUTPUT_RULES = (
    OutputRule(("near",), "`{output}` is close but not within the tolerance: look for float32 arithmetic "
                          "or a small term left out."),
    OutputRule(("not-float64",), "`{output}` should be float64: np.empty(shape) and np.zeros(shape) are "
                              "float64 already; dtype='f', np.float32 or .astype(np.float32) make float32.",
               lambda f, o: "not-array" not in f.patterns.get(o, set())),
    OutputRule(("not-array",), "`{output}` should be a numpy array: collect the values in a list if you "
                            "like, then return np.array(values)."),
    OutputRule(("not-finite",), "`{output}` holds NaN or inf: look for a division by something that can be "
                             "zero, or an exp that overflows."),
    OutputRule(("sign",), "`{output}` has the right size but the wrong sign: check the order of a "
                       "subtraction in its chain rule."),
    OutputRule(("transpose",), "`{output}` is transposed: the gradient of a weight of shape (H, A) has "
                            "that same shape, da.T @ (its input)."),
    OutputRule(("zero",), "`{output}` is all zeros: it is never filled in, or its path back is cut."),
    OutputRule(("scale:1/N",), "`{output}` is off by a factor of 1/N, N the batch size: sum over the batch, "
                            "do not average.", lambda f, o: _is_gradient(o)),
    OutputRule(("scale:N",), "`{output}` is off by a factor of N, the batch size: each sample's gradient "
                          "counts once.", lambda f, o: _is_gradient(o)),
    OutputRule(("scale:T",), "`{output}` is off by a factor of T, the number of steps: the shared weights' "
                          "gradients are summed over time, once per step.", lambda f, o: _is_gradient(o)),
    OutputRule(("scale:1/T",), "`{output}` is off by a factor of 1/T, T the number of steps: the shared "
                            "weights' gradients are summed over time, not averaged.", lambda f, o: _is_gradient(o)),
    OutputRule(("inverse",), "`{output}` is the reciprocal of the expected value: check which way the "
                          "steps are counted."),
)

# The transposed text gets this when the error only shows for square inputs.
ONLY_D_EQ_H = (" It only shows when D == H, where both orientations have the same shape: "
               "do not choose the orientation by looking at shapes.")

FALLBACKS = {
    "rnn_forward": ("h[:, t] is the state after step t+1: run rnn_step_forward on x[:, t] and the state "
                    "of the previous step, for every t in order, and keep each step's cache."),
    "lstm_forward": ("h[:, t] is the state after step t+1: run lstm_step_forward on x[:, t] and the h and c "
                     "of the previous step, for every t in order, and keep each step's cache."),
    "gru_forward": ("h[:, t] is the state after step t+1: run gru_step_forward on x[:, t] and the state "
                    "of the previous step, for every t in order, and keep each step's cache."),
    "rnn_backward": ("Each step's backward needs that step's own cache (the x_t, h_{t-1} and h_t of "
                     "the same step): check the indices, an index off by one is a classic; then check "
                     "that the steps run from the last to the first."),
    "lstm_step_backward": ("Go back through h = o * tanh(c) first, then c = f * c_prev + i * c~ (each "
                           "product sends the other factor back), then each gate's own nonlinearity; "
                           "[h_prev, x] receives the sum of the four gates' contributions."),
    "lstm_backward": ("Each step's backward needs that step's own cache and the dh and dc coming back "
                      "from the later step."),
    "gru_step_backward": ("Go back through h = (1 - z) * h_prev + z * h~ first, then the candidate "
                          "h~ = tanh(W_h [r * h_prev, x] + b_h), then the two sigmoid gates; h_prev "
                          "and x collect every path."),
    "gru_backward": ("Each step's backward needs that step's own cache and the dh coming back from "
                     "the later step."),
    "hidden_jacobian": "J has shape (N, H, H): one H-by-H Jacobian per sample.",
    "clip_grad_norm": ("clipped has the keys of grads: every array times max_norm / total_norm when total_norm "
                       "> max_norm, else an unchanged copy, with total_norm the norm of all arrays together."),
}


def _explained_elsewhere(finding):
    """Wrong only because another function is (the feedback already says which),
    or checked on the cache of a wrong forward, which must be fixed first."""
    return finding.consistent_with_own_forward is True or finding.forward_ok is False


FORWARD_FIRST = ("This backward is tested on the cache of your own forward, which is wrong too: "
                 "fix the forward first, then check this function again.")


def _only_not_implemented(finding):
    return finding.status == "raises" and finding.raised <= {"NotImplementedError"}


def hints_for(finding: Finding) -> list:
    """Hint texts for one function's Finding, most specific first, without repeats."""
    if finding.status in _SILENT or _only_not_implemented(finding):
        return []
    hints = []

    def add(text):
        if text not in hints:
            hints.append(text)

    explained = _explained_elsewhere(finding)
    if finding.forward_ok is False and finding.consistent_with_own_forward is not True:
        add(FORWARD_FIRST)
    matched = False
    for rule in RULES:
        if rule.function is None:
            if rule.when(finding):
                add(rule.text)
        elif rule.function == finding.function and not explained and rule.when(finding):
            add(rule.text)
            matched = True
    for output in sorted(finding.wrong_outputs | finding.not_float64):
        tags = finding.patterns.get(output, set())
        if output not in finding.wrong_outputs:
            tags = tags & {"not-float64", "not-array"}     # right values: only the type to fix
        for rule in OUTPUT_RULES:
            hit = set(rule.tags) & tags
            if hit and (hit & {"not-float64", "not-array"} or not explained) and rule.when(finding, output):
                text = rule.text.format(output=output)
                if "transpose" in hit and "D==H" in finding.only_when:
                    text += ONLY_D_EQ_H
                add(text)
    if not matched and not explained and finding.wrong_outputs and finding.function in FALLBACKS:
        add(FALLBACKS[finding.function])
    return hints


def all_texts():
    """Every text the catalogue can produce (with ``{output}`` unfilled), for tests."""
    return ([r.text for r in RULES] + [r.text for r in OUTPUT_RULES] + [ONLY_D_EQ_H, FORWARD_FIRST]
            + list(FALLBACKS.values()))
