"""Run every check on one Student and turn the cases into a grade.

    grade = grade_student(student)          # any Student (sandboxed or local)
    grade = grade_source(source_text)       # trusted source, in this process
    grade.to_dict()                         # one entry of SPEC.md's --json document

Points per function are the share of its cases passed (cases weigh alike;
partial credit per case); a question's score is the sum over its functions.
Feedback names the output that is wrong, how far off, when it fails and a
hint from the bug catalogue (autograder/hints.py), never reference values.
"""

import traceback
from dataclasses import dataclass, field

from .checks import ALL_CHECKS
from .findings import Finding
from .spec import DTYPE_PENALTY, QUESTIONS, MAX_SCORE
from .student import LocalStudent, begin_question

_ONLY_WHEN_TEXT = {
    "D==H": "only when D == H",
    "N>1": "only when N > 1 (more than one sample in the batch)",
    "T>1": "only when T > 1 (more than one time step)",
    "H>1": "only when H > 1",
}
_STATUS_ORDER = ("missing", "timeout", "crash", "limit", "raises", "blocked", "wrong", "ok")


@dataclass
class FunctionGrade:
    function: str
    score: float
    max_score: float
    feedback: list
    finding: Finding
    cases: list


@dataclass
class QuestionGrade:
    id: str
    score: float
    max_score: float
    feedback: list = field(default_factory=list)


@dataclass
class Grade:
    """The grade of one submission."""
    student: str = ""
    status: str = "graded"            # "graded" or "error"
    reason: str = ""
    questions: list = field(default_factory=list)
    functions: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def curves(self):
        """Gradient-norm curves (student's and expected) gathered by the checks, for plots."""
        out = {}
        for f in self.functions.values():
            for c in f.cases:
                out.update(c.curves)
        return out

    @property
    def score(self):
        return round(sum(q.score for q in self.questions), 2)

    @property
    def max_score(self):
        return MAX_SCORE

    @property
    def findings(self):
        return {name: f.finding for name, f in self.functions.items()}

    def question(self, qid):
        return next(q for q in self.questions if q.id == qid)

    def to_dict(self):
        """One submission of SPEC.md's --json document (plus reason/notes when present)."""
        d = {"student": self.student, "score": self.score, "max_score": self.max_score,
             "status": self.status}
        if self.reason:
            d["reason"] = self.reason
        if self.notes:
            d["notes"] = list(self.notes)
        d["questions"] = [{"id": q.id, "score": q.score, "max_score": q.max_score,
                           "feedback": list(q.feedback)} for q in self.questions]
        d["functions"] = [{"question": q.id, "function": name, "score": f.score,
                           "max_score": f.max_score, "head": f.feedback[0] if f.feedback else "",
                           "findings": list(f.feedback[1:])}
                          for q in QUESTIONS for name, f in self.functions.items()
                          if name in q.points]
        curves = self.curves
        if curves:
            d["curves"] = curves
        return d


# Keys of a result dict that SPEC.md's --json document does not show: plot
# data, flags, and "functions" (each function's head line and its findings,
# so that the feedback files can nest findings under their function).
PRIVATE_KEYS = ("curves", "internal_error", "functions")


def public(result):
    """A result dict as SPEC.md's --json document shows it (no plot data, no flags)."""
    return {k: v for k, v in result.items() if k not in PRIVATE_KEYS}


def error_grade(student, reason, notes=()):
    """A zero row for a submission that could not be graded at all."""
    return Grade(student=student, status="error", reason=reason, notes=list(notes),
                 questions=[QuestionGrade(q.id, 0.0, float(sum(q.points.values())),
                                          [f"not graded: {reason}"]) for q in QUESTIONS])


def prepare():
    """What grading any submission needs, done ahead (checks/prime.py): a
    front end calls it while a submission's child starts."""
    from .checks.prime import prime
    prime()


def grade_student(student, name=""):
    """Run every check on a Student and build the Grade."""
    grade = Grade(student=name)
    for i, q in enumerate(QUESTIONS):
        # each question gets its share (by functions) of the time left: a hang costs only its own
        begin_question(student, q.id, len(q.points) / sum(len(p.points) for p in QUESTIONS[i:]))
        grade.questions.append(grade_question(student, q, grade))
    return grade


def grade_question(student, q, grade):
    """Run the checks of one Question on a Student; its FunctionGrades go into
    ``grade.functions`` and an internal error into ``grade``'s status.
    Returns the QuestionGrade."""
    from .hints import hints_for

    qgrade = QuestionGrade(q.id, 0.0, float(sum(q.points.values())))
    for function, points in q.points.items():
        try:
            cases = ALL_CHECKS[function](student)
        except Exception:                      # a defect of the autograder itself
            grade.status = "error"
            grade.reason = f"internal error of the autograder while checking {function}"
            grade.notes.append(traceback.format_exc(limit=3))
            cases = []
        fgrade = grade_function(function, points, cases)
        fgrade.feedback += [f"Hint: {h}" for h in hints_for(fgrade.finding)
                            if fgrade.finding.status != "ok"]
        grade.functions[function] = fgrade
        qgrade.score += fgrade.score
        qgrade.feedback += fgrade.feedback
    qgrade.score = round(qgrade.score, 2)
    return qgrade


def grade_source(source, name=""):
    """Exec a trusted Python source in this process and grade it (tests, fixtures)."""
    namespace = {"__name__": "submission"}
    exec(compile(source, f"<{name or 'submission'}>", "exec"), namespace)
    return grade_student(LocalStudent(namespace), name)


def grade_function(function, points, cases):
    """Score one function from its cases and write its feedback and Finding.

    Two policies apply to the function as a whole: DTYPE_PENALTY once when
    some output is not float64; and behaviour cases (checks of a property
    only) earn nothing when a function that computes nothing would pass
    them too: "keeps the gradient", "passes through" and the like while no
    value case earned anything (_earned says what counts: a function that
    hands back its input has those properties); "raises ValueError" while
    the function raises on the valid inputs as well.
    """
    finding = find(function, cases)
    value_cases = [c for c in cases if _is_value_case(c)]
    unearned = bool(value_cases) and not any(_earned(c) for c in value_cases)
    always_raises = bool(value_cases) and all(c.status == "raises" for c in value_cases)
    gated = [not _is_value_case(c) and (always_raises if _raises_case(c) else unearned) for c in cases]
    fractions = [0.0 if g else c.fraction for c, g in zip(cases, gated)]
    total_weight = sum(c.weight for c in cases)
    share = sum(c.weight * f for c, f in zip(cases, fractions)) / total_weight if total_weight else 0.0
    if finding.not_float64:
        share *= 1.0 - DTYPE_PENALTY        # once per function, however many outputs and cases
    score = round(points * share, 4)
    head = f"`{function}`: {score:.4g} / {points:g} points"
    if finding.status == "ok":
        return FunctionGrade(function, score, points, [head + ", every check passed"], finding, cases)
    lines = explain(function, cases, finding)
    passed = [c.name for c, g in zip(cases, gated) if g and c.fraction > 0]
    if passed:
        lines.append(f"`{function}` passes {len(passed)} property check(s) (e.g. {passed[0]}), which count "
                     "only once its values are right in some case"
                     + (" (it raises on valid inputs too)" if always_raises else ""))
    return FunctionGrade(function, score, points, [head] + lines, finding, cases)


def _earned(case):
    """Did a value case earn points by computing something: an output right and not
    all zeros (zeros are right only where doing nothing is), or a consistency credit?"""
    right = [v for v in case.verdicts if v.ok and "behaviour" not in v.tags]
    return case.fraction > 0 and (case.credited or any("all-zero" not in v.tags for v in right))


def _raises_case(case):
    return (case.behaviour or "").startswith("raises-")


def _is_value_case(case):
    """A case that compares computed values (not only a property, such as raising an error)."""
    if case.verdicts:
        return any("behaviour" not in v.tags for v in case.verdicts)
    return case.behaviour is None


def find(function, cases):
    """Aggregate the evidence of all cases of one function into a Finding."""
    f = Finding(function)
    statuses = {c.status for c in cases} or {"missing"}
    f.status = next(s for s in _STATUS_ORDER if s in statuses)
    if f.status == "blocked":
        f.status = "wrong"
    outputs_ok, outputs_bad = set(), set()
    for c in cases:
        for v in c.verdicts:
            if "behaviour" in v.tags:
                if not v.ok:
                    f.failed_behaviours.add(v.output)
                continue
            (outputs_ok if v.ok else outputs_bad).add(v.output)
            if "not-float64" in v.tags:
                f.not_float64.add(v.output)
            if not v.ok or "not-float64" in v.tags:
                f.patterns.setdefault(v.output, set()).update(v.tags | {v.stage})
        if c.behaviour and c.status in ("wrong", "raises"):   # a hang or crash is no evidence of how it behaves
            f.failed_behaviours.add(c.behaviour)
        f.raised.update(c.raised)
        f.mutated_inputs.update(c.mutated)
    _agree_on_factors(f, cases)
    f.wrong_outputs = outputs_bad
    f.right_outputs = outputs_ok - outputs_bad
    verdicts = [c.consistent for c in cases if c.consistent is not None]
    f.consistent_with_own_forward = (all(verdicts) if verdicts else None)
    forwards = [c.forward_ok for c in cases if c.forward_ok is not None]
    f.forward_ok = all(forwards) if forwards else None
    shaped = [c for c in cases if c.features and c.behaviour is None]
    failing = [c for c in shaped if c.status != "ok"]
    passing = [c for c in shaped if c.status == "ok"]
    if failing and passing:
        # Name a feature only when it tells failing from passing exactly.
        f.only_when = {feat for feat in _ONLY_WHEN_TEXT
                       if all(feat in c.features for c in failing)
                       and not any(feat in c.features for c in passing)}
    return f


def _agree_on_factors(finding, cases):
    """Name a factor only when it explains every case whose values are wrong, and
    only by the names all those cases agree on: one bug gets one name (1/N, not also
    1/2 from a case where N = 2), and a factor seen only where any error is one
    (a 1 x 1 output) names nothing."""
    for output, tags in finding.patterns.items():
        named = [{t for t in v.tags if t.startswith("scale:")} for c in cases for v in c.verdicts
                 if v.output == output and not v.ok and v.stage == "values"]
        common = set.intersection(*named) if named else set()
        tags -= {t for t in tags if t.startswith("scale:")} - common


def explain(function, cases, finding):
    """Student-facing sentences for a function that lost points."""
    if finding.status == "missing" and all(c.status == "missing" for c in cases):
        return [f"`{function}` is not defined: define it with the name and arguments of the assignment"]
    if cases and all("NotImplementedError" in c.raised for c in cases):
        return [f"`{function}` is not implemented yet (it raises NotImplementedError)"]
    lines = []
    n = len(cases)
    # Wrong outputs (and right ones of the wrong dtype): the worst case's message,
    # and how many cases it affects.
    by_output = {}
    for c in cases:
        for v in c.verdicts:
            if not v.ok or "not-float64" in v.tags:
                by_output.setdefault(v.output, []).append((c, v))
    for output, items in by_output.items():
        case, worst = max(items, key=lambda cv: (cv[1].stage == "values", cv[1].error))
        where = f"in {len(items)} of {n} cases" if len(items) > 1 else "in 1 case"
        lines.append(f"{worst.message} ({where}, e.g. {case.name})")
    # Case-level messages (calls that failed, behaviours), each once.
    seen = {}
    for c in cases:
        for m in c.messages:
            seen.setdefault(m, []).append(c)
    for m, cs in seen.items():
        lines.append(m if len(cs) == 1 else f"{m} (in {len(cs)} cases, e.g. {cs[0].name})")
    if finding.only_when:
        lines.append(f"`{function}` fails " + " and ".join(_ONLY_WHEN_TEXT[f] for f in sorted(finding.only_when)))
    return lines
