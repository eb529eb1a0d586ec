"""The machinery every check uses: call a student function, grade one case.

A check is a plain function ``check_<name>(student) -> list[CaseResult]``
over a Student (autograder/student.py). It builds each case with a
CaseBuilder, which calls the student through the Student interface (always
on fresh copies of the inputs), unpacks the return value, compares outputs
in stages and records what went wrong.
"""

from dataclasses import dataclass, field

import numpy as np

from ..compare import Verdict, check_array, check_number, is_float_array
from ..spec import MUTATION_CREDIT


@dataclass
class CaseResult:
    """One graded case of one function.

    - fraction: share of the case's weight earned, in [0, 1]
    - status: "ok", "wrong", "missing", "raises", "crash", "timeout",
      "limit" or "blocked" (a function it depends on failed)
    - verdicts: one per compared output
    - messages: case-level sentences (a call that failed, a behaviour)
    - features: Sizes.features of the case ("D==H", "T>1", ...)
    - behaviour: name of the behaviour checked, for behaviour cases
    - consistent: for backward cases, whether the student's gradients
      match central differences of the student's own forward
    - credited: a wrong output kept a share of its points (a credit policy)
    """
    function: str
    name: str
    fraction: float = 0.0
    weight: float = 1.0
    status: str = "ok"
    verdicts: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    features: frozenset = frozenset()
    behaviour: str | None = None
    consistent: bool | None = None
    credited: bool = False            # some wrong output kept a share (give_credit)
    forward_ok: bool | None = None
    raised: tuple = ()
    mutated: tuple = ()
    curves: dict = field(default_factory=dict)   # label -> list of floats, for plots in feedback


class CaseBuilder:
    """Collects the evidence of one case; ``result()`` scores it."""

    def __init__(self, function, name, *, features=frozenset(), weight=1.0, behaviour=None):
        self.r = CaseResult(function, name, weight=weight, features=frozenset(features),
                            behaviour=behaviour)
        self.failed = False
        self.credit = {}          # output name -> credit share for a wrong output

    # -- calling ---------------------------------------------------------
    def call(self, student, function, *args, arg_names=(), opaque=()):
        """Call a student function (a Student always works on copies); None if the call failed.

        A failure of the function under test sets this case's status from
        the outcome; a failure of another function (a forward needed by a
        backward case) marks the case "blocked".
        """
        outcome = student.call(function, *args, opaque=opaque)
        if outcome.mutated and function == self.r.function:
            names = [_arg_name(p, arg_names) for p in outcome.mutated]
            self.r.mutated += tuple(names)
        if outcome.ok:
            return outcome
        own = function == self.r.function
        self.failed = True
        self.r.status = _status_of(outcome.kind) if own else "blocked"
        if outcome.kind == "exception" and own:
            self.r.raised += (outcome.exc_types[0],)
        # some errors already start with the function's name ("`f` is not defined")
        said = outcome.error if outcome.error.startswith(f"`{function}`") else f"`{function}` {outcome.error}"
        self.r.messages.append(said if own else f"could not test `{self.r.function}`: {said}")
        return None

    def unpack(self, value, names):
        """Split a returned tuple into named outputs, checking the arity.

        Returns a dict name -> value, or None after recording the problem.
        """
        function = self.r.function
        if len(names) == 1:
            return {names[0]: value}
        if not isinstance(value, (tuple, list)):
            return self.fail(f"`{function}` should return a tuple of {len(names)} values "
                             f"({', '.join(names)}), got a single {type(value).__name__}")
        if len(value) != len(names):
            return self.fail(f"`{function}` should return {len(names)} values ({', '.join(names)}), "
                             f"got {len(value)}")
        return dict(zip(names, value))

    # -- comparing -------------------------------------------------------
    def array(self, output, actual, expected, tol, sizes=None, time_axis=None):
        v = check_array(output, actual, expected, tol, sizes=sizes, time_axis=time_axis)
        self.r.verdicts.append(v)
        return v

    def number(self, output, actual, expected, tol, measure="relative error"):
        v = check_number(output, actual, expected, tol, measure=measure)
        self.r.verdicts.append(v)
        return v

    def grads_dict(self, output, actual, expected, tol, sizes=None):
        """Compare a dict of arrays key by key (grads of an LSTM or GRU)."""
        if not isinstance(actual, dict):
            v = Verdict(output, False, "type",
                        f"`{output}` should be a dict with keys {', '.join(expected)}, "
                        f"got {type(actual).__name__}", tags={"type"})
            self.r.verdicts.append(v)
            return [v]
        missing = [k for k in expected if k not in actual]
        if missing:
            v = Verdict(output, False, "type", f"`{output}` is missing the keys {', '.join(missing)}",
                        tags={"type"})
            self.r.verdicts.append(v)
            return [v]
        return [self.array(f"{output}['{k}']", actual[k], e, tol, sizes=sizes) for k, e in expected.items()]

    def check(self, ok, message, behaviour_failed=None):
        """Record a pass/fail condition as a pseudo-output."""
        name = behaviour_failed or message
        v = Verdict(name, bool(ok), "ok" if ok else "values", "" if ok else message, tags={"behaviour"})
        self.r.verdicts.append(v)
        return v

    def fail(self, message, status="wrong"):
        self.failed = True
        self.r.status = status
        self.r.messages.append(message)
        return None

    def give_credit(self, output, share):
        """A wrong output still earns ``share`` of its part (consistent backward)."""
        self.credit[output] = share
        self.r.credited = True

    # -- scoring ---------------------------------------------------------
    def result(self):
        r = self.r
        if self.failed and not r.verdicts:
            r.fraction = 0.0
        else:
            parts = [1.0 if v.ok else self.credit.get(v.output, 0.0) for v in r.verdicts]
            r.fraction = (sum(parts) / len(parts) if parts else 0.0) * (0.0 if self.failed else 1.0)
            if r.status == "ok" and not all(v.ok for v in r.verdicts):
                r.status = "wrong"
        if r.status == "ok" and any("not-float64" in v.tags for v in r.verdicts):
            r.status = "wrong"                       # grade_function charges DTYPE_PENALTY once
        if r.mutated:
            r.fraction *= MUTATION_CREDIT
            if r.status == "ok":
                r.status = "wrong"
            r.messages += mutation_messages(r.function, r.mutated)
        return r


def mutation_messages(function, mutated):
    """What a function changed of its arguments: arrays in place, or a container's entries.

    A path with an index ("grads['W_hh']", "cache[2]") is an entry of a dict
    or list the function was given: it was written into or replaced by
    another array (the caller's container changed either way).
    """
    whole, entries = set(), {}
    for path in set(mutated):
        base, bracket, _ = path.partition("[")
        if bracket:
            entries.setdefault(base, []).append(path)
        else:
            whole.add(path)
    lines = []
    if whole:
        lines.append(f"`{function}` changed its input {', '.join(sorted(whole))} in place; "
                     "work on a copy (the caller still needs it)")
    for base, paths in sorted(entries.items()):
        kind = "dict" if any("['" in p or '["' in p for p in paths) else "list"
        verb = "holds" if len(paths) == 1 else "hold"
        lines.append(f"`{function}` changed the {kind} `{base}` it was given ({', '.join(sorted(paths))} no "
                     f"longer {verb} the caller's values): build and return a new {kind} instead of "
                     "assigning to its entries or writing into its arrays")
    return lines


def _status_of(kind):
    return {"exception": "raises", "missing": "missing", "timeout": "timeout",
            "crash": "crash", "limit": "limit"}.get(kind, "raises")


def _arg_name(path, arg_names):
    """'arg 1' -> 'dh' using the SPEC's argument names; keeps any suffix."""
    head, _, rest = path.partition("[")
    try:
        index = int(head.split()[1])
        base = arg_names[index]
    except (IndexError, ValueError):
        return path
    return base + ("[" + rest if rest else "")


def consistency(student, forward, fwd_args, grad_names, douts, grads, rng, n_dirs=2):
    """Are a student's gradients central differences of its own forward?

    Checks, argument by argument, the directional derivative of
    L = sum_i sum(forward(args)[i] * douts[i]) along random directions
    against sum(grad * direction). Arguments whose gradient is None are
    skipped.

    Inputs:
    - student: a Student
    - forward: name of the student's forward function
    - fwd_args: list of the forward's arguments (arrays or dicts of arrays)
    - grad_names: the output name of each argument's gradient (or None)
    - grads: the student's gradients per argument (array, dict, or None)

    - douts: the upstream gradient of each forward output
    - rng: numpy Generator for the directions

    Returns a dict output name -> True/False (None when it could not tell).
    """
    from ..gradcheck import DEFAULT_STEP, rel_error

    def loss(args):
        outcome = student.call(forward, *args, opaque=(len(douts),))
        if not outcome.ok:
            return None
        value = outcome.value
        if not isinstance(value, (tuple, list)) or len(value) < len(douts):
            return None
        total = 0.0
        for out, dout in zip(value, douts):
            if not is_float_array(out, dout.shape):
                return None
            total += float(np.sum(out * dout))
        return total

    verdict = {}
    h = DEFAULT_STEP
    for i, (name, grad) in enumerate(zip(grad_names, grads)):
        if name is None or grad is None:
            continue
        arg = fwd_args[i]
        keys = list(arg) if isinstance(arg, dict) else [None]
        for key in keys:
            base = arg[key] if key is not None else arg
            g = grad.get(key) if (key is not None and isinstance(grad, dict)) else grad
            label = f"{name}['{key}']" if key is not None else name
            if not is_float_array(g, base.shape):
                verdict[label] = None
                continue
            agree = True
            for _ in range(n_dirs):
                u = rng.standard_normal(base.shape)
                u /= np.linalg.norm(u) or 1.0
                plus, minus = list(fwd_args), list(fwd_args)
                if key is None:
                    plus[i], minus[i] = base + h * u, base - h * u
                else:
                    plus[i], minus[i] = {**arg, key: base + h * u}, {**arg, key: base - h * u}
                lp, lm = loss(plus), loss(minus)
                if lp is None or lm is None:
                    agree = None
                    break
                numeric = (lp - lm) / (2 * h)
                analytic = float(np.sum(g * u))
                if rel_error(np.array(numeric), np.array(analytic)) > 1e-5:
                    agree = False
                    break
            verdict[label] = agree
    return verdict


def raises_case(student, function, name, args, arg_names, behaviour):
    """The function must raise ValueError on these arguments."""
    case = CaseBuilder(function, name, behaviour=behaviour)
    outcome = student.call(function, *args)
    if outcome.kind == "missing":
        case.fail(f"`{function}` {outcome.error}", status="missing")
    elif outcome.kind in ("timeout", "crash", "limit"):
        case.fail(f"`{function}` {outcome.error}", status=outcome.kind)
    else:
        if outcome.kind == "exception" and not outcome.raised("ValueError"):
            case.r.raised += (outcome.exc_types[0],)
        case.check(outcome.raised("ValueError"),
                   f"`{function}` should raise ValueError for {name.removeprefix('ValueError for ')}"
                   + ("" if outcome.kind == "exception" else ", but it returned a value")
                   + (f", but it {outcome.error}" if outcome.kind == "exception" else ""),
                   behaviour_failed=behaviour)
    return case.result()
