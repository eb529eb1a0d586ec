"""Backprop costs about one forward pass: the cost case of each backward function.

A numerical gradient (central differences, or the complex step) of the
student's own forward gives the right numbers on every small case, but it
runs the forward once or twice per input number. At the sizes below that
is tens of seconds to minutes, where backprop takes milliseconds: the
difference is decisive, not a matter of a busy machine.

One cost case per backward function: the student's forward, then the
backward under its own time limit

    limit = max(COST_FLOOR_SECONDS, COST_FACTOR x the answer key's backward,
                FORWARD_FACTOR x the student's own forward at that size,
                STEP_FACTOR x T x the student's own step backward at one
                step of that size, up to STEP_TERM_CAP; sequences only)

(the answer key's time is measured in this process, best of 3, once per
process; the third term keeps a correct backward written with Python loops
inside the limit whatever its forward costs, and the fourth a sequence
backward that chains a correct but slow step backward, written element by
element, which is backprop too). The case compares values too
(weight COST_WEIGHT, low). A backward that misses the limit is not
backprop: with_cost then zeroes every case of that function, with one
message that says why.
"""

import functools

from ..cases import Sizes
from . import oracle
from .common import CaseBuilder
from .layers import _compare, forward_matches, reference, run_backward
from ..spec import GRADIENT_TOL

COST_FLOOR_SECONDS = 5.0
COST_FACTOR = 50
FORWARD_FACTOR = 20
STEP_FACTOR = 2
STEP_TERM_CAP = 30.0
COST_WEIGHT = 0.25
BEHAVIOUR = "backprop-cost"

# Sizes where one forward per parameter costs tens of seconds with numpy and a
# correct backward milliseconds. Measured on 2 busy cores (one BLAS thread):
# the answer key's backward 0.1 to 12 ms (limit: the 5 s floor); the correct
# variants of tests/files/correct at most 0.06 of their limit; a step backward
# written element by element (loops over n, j, d, k) 1.8 s for the RNN and up to
# 3.7 s for the LSTM at a load average of 7, and 4.5 to 5.3 s for rnn_backward
# chaining it (hence the floor and the step term); the central-differences
# fixture 30 s (rnn_step_backward) and over 60 s for the five others.
STEP_COST_SIZES = {"rnn_step_backward": Sizes(N=16, T=1, D=192, H=192),
                   "lstm_step_backward": Sizes(N=16, T=1, D=128, H=128),
                   "gru_step_backward": Sizes(N=16, T=1, D=128, H=128)}
SEQUENCE_COST_SIZES = Sizes(N=8, T=50, D=64, H=64)


def cost_sizes(layer):
    return SEQUENCE_COST_SIZES if layer.sequence else STEP_COST_SIZES[layer.backward]


def one_step(sizes):
    """The sizes of one step of a sequence case (step_seconds times the step backward there)."""
    return Sizes(N=sizes.N, T=1, D=sizes.D, H=sizes.H)


@functools.lru_cache(maxsize=None)
def reference_seconds(layer, sizes):
    """The answer key's backward at these sizes, best of 3 (cached per process)."""
    args, _, upstream, _ = reference(layer, sizes)
    answer_key = oracle.current().oracle
    *_, cache = answer_key.call(layer.forward, *args)
    return answer_key.seconds(layer.backward, *upstream, cache)


class _Timed:
    """A Student whose backward runs under the cost limit, computed when it is
    called from the forward's time just before; records the outcomes."""

    def __init__(self, student, layer, floor):
        self.student, self.layer, self.floor = student, layer, floor
        self.limit = floor
        self.outcomes = {}

    def has(self, name):
        return self.student.has(name)

    def call(self, name, *args, opaque=()):
        if name == self.layer.backward:
            forward = self.outcomes.get(self.layer.forward)
            if forward is not None and forward.ok:
                self.limit = max(self.floor, FORWARD_FACTOR * forward.seconds)
            outcome = self.student.call(name, *args, opaque=opaque, timeout=self.limit)
        else:
            outcome = self.student.call(name, *args, opaque=opaque)
        self.outcomes[name] = outcome
        return outcome


def _format_seconds(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.2g} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def step_seconds(student, layer, sizes):
    """T x the student's own step backward at one step of a sequence case (0 for a step
    layer, or when the step cannot be timed): what chaining that step costs."""
    if not layer.sequence or layer.step is None:
        return 0.0
    args, _, upstream, _ = reference(layer.step, one_step(sizes))
    timed = _Timed(student, layer.step, COST_FLOOR_SECONDS)
    run_backward(CaseBuilder(layer.step.backward, "step timing"), timed, layer.step, args, upstream)
    outcome = timed.outcomes.get(layer.step.backward)
    return sizes.T * outcome.seconds if outcome is not None and outcome.ok else 0.0


def cost_case(student, layer, sizes=None):
    """(CaseResult, decisive): the backward at a size where backprop and a numerical gradient differ."""
    sizes = sizes or cost_sizes(layer)
    args, outs, upstream, ref_grads = reference(layer, sizes)
    expected = reference_seconds(layer, sizes)
    chained = step_seconds(student, layer, sizes)
    timed = _Timed(student, layer, max(COST_FLOOR_SECONDS, COST_FACTOR * expected,
                                       min(STEP_TERM_CAP, STEP_FACTOR * chained)))
    case = CaseBuilder(layer.backward, f"cost: {sizes.name}", weight=COST_WEIGHT)
    fwd_outs, got = run_backward(case, timed, layer, args, upstream)
    outcome, limit = timed.outcomes.get(layer.backward), timed.limit
    decisive = outcome is not None and (outcome.kind == "timeout"
                                        or (outcome.ok and outcome.seconds > limit)
                                        or (outcome.kind == "limit" and outcome.seconds >= limit))
    if got is not None:
        for name, ref in zip(layer.grads, ref_grads):
            _compare(case, name, got[name], ref, GRADIENT_TOL, sizes, layer.sequence)
        case.r.forward_ok = forward_matches(fwd_outs, outs)
    if decisive:
        took = (f"took {_format_seconds(outcome.seconds)}" if outcome.ok
                else f"did not finish within {_format_seconds(limit)}")
        case.r.messages[:] = [m for m in case.r.messages if "did not finish within" not in m]
        own_step = (f" and your own step backward, chained {sizes.T} times, about {_format_seconds(chained)}"
                    if chained else "")
        case.check(False, f"backprop should cost about as much as the forward pass; `{layer.backward}` "
                          f"{took} on {sizes.name}, where the answer key takes about "
                          f"{_format_seconds(expected)}{own_step}. A backward that does not finish in that "
                          "time (a loop that never ends) or recomputes the forward for each parameter (a "
                          "numerical gradient, or the complex step) is not backprop, so this function earns "
                          "none of its points",
                   behaviour_failed=BEHAVIOUR)
    result = case.result()
    if decisive:
        result.status = "timeout"
        result.fraction = 0.0
    return result, decisive


def with_cost(check, layer):
    """A backward check and its cost case (run first, listed last); a decisive
    miss zeroes every case.

    When the student's forward is wrong at the cost size, the cost case's
    values cannot be right either: it then earns what the function's other
    cases earned on average (the credit policies for a wrong forward apply
    there), so only its time decides.
    """
    def checked(student):
        if not oracle.current().profile.cost:
            return check(student)
        # The cost case runs first, while the question's time budget is whole:
        # run last, a numerical gradient could spend the budget on the ordinary
        # cases, leave the cost case no time to show it is slow, and keep most
        # of its points on a busy machine. (The list keeps it last.)
        cost, decisive = cost_case(student, layer)
        cases = check(student)
        if decisive:
            for c in cases:
                c.fraction = 0.0
                if c.status == "ok":
                    c.status = "wrong"
        elif cost.forward_ok is False and cases:
            cost.fraction = sum(c.fraction for c in cases) / len(cases)
        return cases + [cost]
    checked.__name__ = getattr(check, "__name__", "check")
    checked.__doc__ = check.__doc__
    return checked
