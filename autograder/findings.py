"""What the checks learned about one student function, in a form hint rules read.

The checks (autograder/checks) fill one Finding per contract function; the
hint catalogue (autograder/hints.py) turns Findings into advice such as
"the tanh derivative belongs to h_next". Findings never hold reference values.
"""

from dataclasses import dataclass, field


@dataclass
class Finding:
    """Aggregated evidence about one student function over all its cases.

    - function: contract name, e.g. "rnn_step_backward"
    - status: "ok" (every case passed), "wrong" (some output wrong),
      "missing", "raises" (an exception in some case), "crash", "timeout"
    - wrong_outputs: names of outputs that failed in at least one case
      (e.g. {"dW_hh", "db_h"}; for dict outputs "grads['W_f']"; single
      outputs are named after the SPEC, e.g. "J", "norms", "rate")
    - right_outputs: names of outputs that passed in every case
    - patterns: output name -> set of tags describing how it was wrong:
        "type", "shape", "not-finite", "zero" (all zeros), "sign" (equals
        minus the expected), "scale:N", "scale:1/N", "scale:T", "scale:1/T",
        "scale:2", "scale:1/2", "scale:other" (a constant factor),
        "transpose" (equals the expected transposed),
        "only-last-step", "all-but-last-step", "only-first-step"
        (sequence outputs of shape (N, T, ...): which time steps were off),
        "extra-time-step" (one time step too many, as when h0 is kept in h),
        "not-float64" (float32 or another float dtype; see not_float64),
        "c0-from-h0" (lstm_forward: what starting the cell state from h0 gives)
    - only_when: case features shared by every failing case and absent
      from some passing case: "D==H", "N>1", "T>1", "H>1", "D>1"
    - consistent_with_own_forward: for backward functions, True when the
      gradients equal central differences of the student's own forward
      (so the error is in the forward), False when not, None if unknown
    - forward_ok: for backward functions, False when the student's own
      forward (whose cache the backward is given) was wrong in some case,
      True when it was right in every case, None if unknown
    - not_float64: outputs returned with another float dtype (float32) in some
      case; their values may still be right (then they are in right_outputs,
      and patterns holds "not-float64" for them too)
    - mutated_inputs: names of arguments the function changed in place
    - failed_behaviours: names of behaviour checks that failed, e.g.
      "decay-rate-exact", "ratio-bounded", "keeps-direction",
      "norm-equals-max", "unchanged-below-max" (clip_grad_norm wrong where
      nothing is to be clipped), "raises-on-nonpositive", "raises-on-nonfinite"
    - raised: exception class names raised in some case
    """
    function: str
    status: str = "ok"
    wrong_outputs: set = field(default_factory=set)
    right_outputs: set = field(default_factory=set)
    patterns: dict = field(default_factory=dict)
    only_when: set = field(default_factory=set)
    consistent_with_own_forward: bool | None = None
    forward_ok: bool | None = None
    not_float64: set = field(default_factory=set)
    mutated_inputs: set = field(default_factory=set)
    failed_behaviours: set = field(default_factory=set)
    raised: set = field(default_factory=set)

    def pattern(self, output, tag):
        """True when ``output`` went wrong in the way ``tag`` describes."""
        return tag in self.patterns.get(output, set())
