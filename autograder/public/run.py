"""The public checks a student runs in the notebook: ``check("q1", globals())``.

They are the hidden checks' own code (grading.grade_question, the same
findings and hints) run on the PUBLIC profile's few small cases, with the
answer key's outputs replayed from recorded data (public_cases.json beside
this package). The report says, per function, how many public cases
passed, or what rnngrade would say about it, and that the hidden cases
check more.

Nothing is written to stderr and no warning escapes (nbgrader zeroes a test
cell that writes to stderr); the report is printed to stdout.
"""

import contextlib
import functools
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..checks import oracle
from ..checks.profile import PUBLIC
from ..grading import Grade, grade_question
from ..spec import QUESTIONS
from ..student import LocalStudent

DATA_NAME = "public_cases.json"
_QUESTIONS = {q.id: q for q in QUESTIONS}


@dataclass
class Report:
    """The public checks of one question: ``passed`` (every public case of every
    function passed) and the report's ``lines``; its repr is the report text."""
    question: str
    passed: bool
    lines: list = field(default_factory=list)
    shown: bool = False

    def __repr__(self):
        return "\n".join(self.lines)

    __str__ = __repr__

    def _ipython_display_(self):
        """In a notebook: the text once (check() already printed it unless quiet)."""
        if not self.shown:
            print(self)
            self.shown = True


@functools.lru_cache(maxsize=1)
def _replay(path):
    return oracle.ReplayOracle(Path(path).read_text(encoding="utf-8"))


def public_mode(data=None):
    """The Mode of the public checks: the PUBLIC profile, replaying ``data``
    (a path; default: the recorded cases beside this package)."""
    path = Path(data) if data is not None else Path(__file__).resolve().parent / DATA_NAME
    return oracle.Mode(PUBLIC, _replay(str(path)))


@contextlib.contextmanager
def _silenced():
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()), \
            warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _function_lines(name, fgrade, internal):
    """The report lines of one function: a count of public cases, or rnngrade's findings."""
    cases = fgrade.cases
    passed = sum(1 for c in cases if c.status == "ok" and c.fraction >= 1.0)
    findings = list(fgrade.feedback[1:])         # rnngrade's head line speaks of points: left out
    if internal and not cases:
        return [f"`{name}`: the public checks could not run: {internal}"], False
    if cases and all("NotImplementedError" in c.raised for c in cases):
        return [f"`{name}`: not implemented yet (it raises NotImplementedError)"], False
    needed = _stub_needed(cases)
    if needed:
        return [f"`{name}`: not tested yet: it needs `{needed}`, which is not implemented yet"], False
    ok = fgrade.finding.status == "ok" and passed == len(cases)
    head = f"`{name}`: {passed} of {len(cases)} public case{'s' if len(cases) != 1 else ''} passed"
    return [head] + ([] if ok else findings), ok


def _stub_needed(cases):
    """The function every case of a backward was blocked by, when that one is still a stub."""
    blocked = [m for c in cases for m in c.messages if c.status == "blocked"]
    if not cases or len(blocked) < len(cases) or not all("raised NotImplementedError" in m for m in blocked):
        return None
    names = {m.split("`")[3] for m in blocked if m.count("`") >= 4}
    return names.pop() if len(names) == 1 else None


def check(qid, namespace, *, quiet=False, data=None):
    """Run the public checks of question ``qid`` on the functions in ``namespace``
    (a notebook's ``globals()``); print the report (unless ``quiet``) and return a Report."""
    if qid not in _QUESTIONS:
        raise KeyError(f"unknown question {qid!r}; expected one of {', '.join(_QUESTIONS)}")
    q = _QUESTIONS[qid]
    grade = Grade(student="notebook")
    with oracle.using(public_mode(data)), _silenced():
        grade_question(LocalStudent(dict(namespace)), q, grade)
    internal = grade.notes[-1].strip().splitlines()[-1] if grade.status == "error" and grade.notes else ""
    lines, passed = [f"Public checks of {q.id} ({q.title}):"], True
    for name in q.points:
        more, ok = _function_lines(name, grade.functions[name], internal)
        lines += ["  " + line if i else line for i, line in enumerate(more)]
        passed = passed and ok
    more = f"The hidden tests check more cases: {dict(PUBLIC.more).get(q.id, 'other inputs')}."
    lines.append(f"All public cases of {q.id} passed. {more}" if passed else more)
    report = Report(q.id, passed, lines)
    if not quiet:
        print(report)
        report.shown = True
    return report


def check_all(namespace, *, quiet=False, data=None):
    """The public checks of every question; a dict question id -> Report."""
    return {q.id: check(q.id, namespace, quiet=quiet, data=data) for q in QUESTIONS}
