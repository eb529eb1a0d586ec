"""How checks call a student's functions: the Student interface and Outcome.

A check never calls a student function directly. It asks a Student:

    student.has("rnn_forward")                  -> bool
    student.call("rnn_forward", x, h0, ...)     -> Outcome
    student.call("rnn_forward", ..., opaque=(1,))  the cache (position 1 of
                                                the returned tuple) stays where
                                                the function ran

Two kinds of Student exist. LocalStudent wraps an object holding functions
(a module, a namespace) in this process: for the answer key, for pytest and
for trusted code only. SandboxedStudent (autograder/sandbox) runs every call
in a limited child process; it is what ``rnngrade grade`` uses.

A value a student returns that cannot cross a process boundary (a cache) is
handed back as an opaque reference; passing it to a later call works with
either kind of Student.
"""

import time
from dataclasses import dataclass, field

import numpy as np

# numpy's own comparison, taken when this module is imported: the sandbox's child
# imports it before any submission loads, and a submission may replace
# np.array_equal (tests/files/hostile/patch_numpy_allclose.py) to hide an in-place change.
_array_equal = np.array_equal


@dataclass
class Outcome:
    """What happened when one student function was called.

    - value: the return value (arrays decoded as plain numpy arrays)
    - error: None on success, else a student-facing sentence such as
      "raised ValueError: max_norm must be positive" or
      "did not finish within 10 s"
    - kind: None, "exception", "timeout", "crash", "missing" or "limit"
    - exc_types: for kind "exception", the names in the exception's class
      hierarchy (("ValueError", "Exception", ...)), to check raised types
    - mutated: which arguments the call changed in place, as paths
      ("arg 0", "arg 2['W_f']")
    - seconds: wall time of the call
    """
    value: object = None
    error: str | None = None
    kind: str | None = None
    exc_types: tuple = ()
    mutated: tuple = ()
    seconds: float = 0.0

    @property
    def ok(self):
        return self.error is None

    def raised(self, exc_name):
        return self.kind == "exception" and exc_name in self.exc_types


def snapshot(value):
    """Deep copy of the arrays inside an argument (for mutation checks)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):      # a namedtuple
        return type(value)(*(snapshot(v) for v in value))
    if type(value) in (list, tuple):
        return type(value)(snapshot(v) for v in value)
    return value


def changed_paths(before, after, path):
    """Paths of the arrays that differ between two snapshots of an argument."""
    if isinstance(before, np.ndarray):
        same = (isinstance(after, np.ndarray) and after.shape == before.shape
                and after.dtype == before.dtype
                and _array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
        return [] if same else [path]
    if isinstance(before, dict):
        out = []
        for k, v in before.items():
            out += changed_paths(v, after.get(k) if isinstance(after, dict) else None, f"{path}[{k!r}]")
        return out
    if isinstance(before, (list, tuple)):
        out = []
        for i, v in enumerate(before):
            nxt = after[i] if isinstance(after, (list, tuple)) and i < len(after) else None
            out += changed_paths(v, nxt, f"{path}[{i}]")
        return out
    return []


VALUE_DEPTH = 32          # lists/tuples/dicts nested deeper than this are not looked into
VALUE_PARTS = 1_000_000


class OversizedValue:
    """Stands for a part of a returned value nested too deeply or with too
    many parts to check (no check accepts it: it fails the type stage)."""

    def __repr__(self):
        return "<part of a returned value too deep or too large to check>"


def tame(value):
    """A value returned by a student, as every check can handle it (both
    Student kinds apply it): ints outside int64 become floats (infinities
    beyond float range, e.g. 10**400); containers nested deeper than
    VALUE_DEPTH, or past VALUE_PARTS parts, become an OversizedValue (numpy
    refuses more than 64 dimensions). Unchanged parts keep their identity
    and type."""
    budget = [VALUE_PARTS]

    def walk(v, depth):
        budget[0] -= 1
        if isinstance(v, int) and not isinstance(v, bool):
            n = int.__int__(v)
            tamed = tame_int(n)
            return v if tamed is n else tamed
        if not isinstance(v, (dict, list, tuple)):
            return v
        if depth >= VALUE_DEPTH or budget[0] < 0:
            return OversizedValue()
        if isinstance(v, dict):
            pairs = list(dict.items(v))
            items = {k: walk(x, depth + 1) for k, x in pairs}
            return v if all(items[k] is x for k, x in pairs) else items
        old = list(tuple.__iter__(v) if isinstance(v, tuple) else list.__iter__(v))   # a list or tuple
        items = [walk(x, depth + 1) for x in old]
        if all(a is b for a, b in zip(items, old)):
            return v
        return tuple(items) if isinstance(v, tuple) else items
    return walk(value, 0)


def tame_int(n):
    """An int as the checks can handle it: the same object inside the int64
    range, else the nearest float (an infinity beyond float range), so that
    no comparison fails on an int like 10**400: the check fails instead."""
    if -2 ** 63 <= n < 2 ** 63:
        return n
    try:
        return float(n)
    except OverflowError:
        return float("inf") if n > 0 else float("-inf")


def describe_exception(exc):
    """'raised ValueError: message', cut to a readable length."""
    text = f"raised {type(exc).__name__}"
    msg = str(exc)
    if msg:
        text += ": " + (msg if len(msg) <= 300 else msg[:300] + "...")
    return text


def begin_question(student, qid, share):
    """Tell a Student that the checks of question ``qid`` start and may use
    ``share`` of the submission's remaining time (Students without time
    budgets ignore it)."""
    begin = getattr(student, "begin_question", None)
    if begin is not None:
        begin(qid, share)


class LocalStudent:
    """A Student whose functions run in this process (trusted code only).

    Inputs:
    - namespace: any object with the functions as attributes, or a dict
    """

    def __init__(self, namespace):
        self._ns = namespace if isinstance(namespace, dict) else vars(namespace)

    def has(self, name):
        return callable(self._ns.get(name))

    def begin_question(self, qid, share):
        """Time budgets cannot be enforced in this process: nothing to do."""

    def call(self, name, *args, opaque=(), timeout=None):
        """Call a function of the namespace; ``opaque`` (positions of a
        returned tuple the checks only hand back, such as a cache) matters
        only across a process boundary and is ignored here. ``timeout``
        (seconds) cannot be enforced in this process: the call's wall time
        is only recorded in Outcome.seconds."""
        if not self.has(name):
            return Outcome(error=f"`{name}` is not defined", kind="missing")
        # The function gets copies, as it would across a process boundary: the
        # caller's arrays (cached hidden inputs) can never be changed by it.
        copies = [snapshot(a) for a in args]
        start = time.perf_counter()
        try:
            value = self._ns[name](*copies)
        except Exception as exc:   # the student's error, reported, never raised
            return Outcome(error=describe_exception(exc), kind="exception",
                           exc_types=tuple(c.__name__ for c in type(exc).__mro__),
                           seconds=time.perf_counter() - start)
        seconds = time.perf_counter() - start
        mutated = []
        for i, (original, copy) in enumerate(zip(args, copies)):
            mutated += changed_paths(original, copy, f"arg {i}")
        return Outcome(value=tame(value), mutated=tuple(mutated), seconds=seconds)


@dataclass
class LoadReport:
    """What loading a submission found, before any function was called.

    - ok: False when nothing could be graded (not a notebook, syntax error
      in a .py file, the process died while loading, ...)
    - reason: why, for the grade book, when not ok
    - notes: student-facing remarks (a notebook cell that raised, output cut)
    - functions: names of the callables the submission defines
    """
    ok: bool = True
    reason: str = ""
    notes: list = field(default_factory=list)
    functions: tuple = ()
