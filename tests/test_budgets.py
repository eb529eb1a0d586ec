"""Time limits per call and per question: a hang costs only its own questions.

Submissions here are trusted test code written into tmp_path (or built from
the answer key); they run through SandboxedStudent all the same.
"""

import textwrap

import pytest

from autograder import spec
from autograder.sandbox import Limits, SandboxedStudent
from autograder.student import LocalStudent

SLEEPER = '''
import time

def nap(seconds):
    time.sleep(seconds)
    return seconds

def spin():
    while True:
        pass

spin2 = spin3 = spin4 = spin
'''


def _sandboxed(tmp_path, source, **limits):
    path = tmp_path / "sub.py"
    path.write_text(textwrap.dedent(source))
    return SandboxedStudent(path, Limits(**limits))


def test_call_timeout_overrides_call_seconds(tmp_path):
    """timeout= is this call's limit: shorter than call_seconds stops the call."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=60, submission_seconds=120) as student:
        out = student.call("nap", 30, timeout=1)
    assert out.kind == "timeout"
    assert "within 1 s" in out.error


def test_call_timeout_can_be_longer_than_call_seconds(tmp_path):
    """timeout= may also allow a call more time than call_seconds."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=0.5, submission_seconds=120) as student:
        out = student.call("nap", 1.5, timeout=30)
    assert out.ok, out.error
    assert out.value == 1.5


def test_local_student_records_seconds_with_timeout():
    """LocalStudent cannot enforce timeout=; it accepts it and records the time."""
    import time
    student = LocalStudent({"nap": lambda s: time.sleep(s) or s})
    out = student.call("nap", 0.05, timeout=0.01)
    assert out.ok
    assert out.seconds >= 0.05



def test_a_function_that_timed_out_is_not_run_again(tmp_path):
    """After a timeout, later calls of that function fail at once (no new
    child, no time spent); other functions still run."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=1, submission_seconds=60) as student:
        first = student.call("spin")
        restarts, used = student.restarts, student.seconds_used
        again = student.call("spin")
        assert student.restarts == restarts and student.seconds_used == used
        other = student.call("nap", 0)
    assert first.kind == "timeout" and "within 1 s" in first.error
    assert again.kind == "timeout"
    assert again.error == "did not finish within 1 s (an earlier call timed out, so it was not run again)"
    assert other.ok and other.value == 0


def test_a_longer_timeout_runs_a_function_that_timed_out_again(tmp_path):
    """Only calls with no more time than the stopped one are refused."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=0.5, submission_seconds=60) as student:
        assert student.call("nap", 1.5).kind == "timeout"
        assert student.call("nap", 0).kind == "timeout"
        out = student.call("nap", 1.5, timeout=30)
    assert out.ok, out.error


def test_one_hang_leaves_time_for_the_rest_of_its_question(tmp_path):
    """A question's budget is at least two calls' time: a hanging call times
    out on its own limit and the question's other functions still run."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=1, submission_seconds=20) as student:
        student.begin_question("q0", 0.01)
        stuck = student.call("spin")
        other = student.call("nap", 0)
    assert stuck.kind == "timeout" and stuck.error == "did not finish within 1 s"
    assert other.ok, other.error


def test_question_budget_stops_a_call_and_the_next_question_starts_afresh(tmp_path):
    """begin_question gives a question a share of the remaining time; a call
    stopped by it is a "limit" naming the question; the next question's
    functions run."""
    with _sandboxed(tmp_path, SLEEPER, call_seconds=1, submission_seconds=20) as student:
        student.begin_question("q0", 0.125)        # 2.5 s: at most two 1 s timeouts fit
        outs = [student.call(name) for name in ("spin", "spin2", "spin3", "spin4")]
        stuck = next(out for out in outs if out.kind == "limit")
        refused = student.call("nap", 0)
        student.begin_question("q1", 1.0)
        fine = student.call("nap", 0)
    assert stuck.kind == "limit" and "checks of q0" in stuck.error, stuck.error
    assert refused.kind == "limit" and "checks of q0" in refused.error, refused.error
    assert fine.ok, fine.error


# ------------------------------------------------------------------ a hang costs only its own questions

def _questions_calling():
    """function -> ids of the questions whose checks call it, directly or
    through another function of the submission (the answer key's
    rnn_forward calls its rnn_step_forward). Recorded by running every check
    on the answer key (trusted) in this process, each function wrapped."""
    from autograder.checks import ALL_CHECKS
    from autograder.spec import QUESTIONS
    from autograder.submissions import reference_source

    namespace = {"__name__": "answer_key"}
    exec(compile(reference_source(), "<answer key>", "exec"), namespace)
    seen = set()

    def recorded(name, fn):
        def wrapper(*args, **kwargs):
            seen.add(name)
            return fn(*args, **kwargs)
        return wrapper

    for name in spec.FUNCTIONS:
        namespace[name] = recorded(name, namespace[name])
    student = LocalStudent(namespace)
    users = {}
    for q in QUESTIONS:
        seen.clear()
        for function in q.points:
            ALL_CHECKS[function](student)
        for name in seen:
            users.setdefault(name, set()).add(q.id)
    return users


HANG = '''
def {name}(*args, **kwargs):
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_IGN)          # only SIGKILL stops it
    while True:
        pass
'''


@pytest.mark.slow
@pytest.mark.parametrize("function", spec.FUNCTIONS)
def test_a_hanging_function_costs_only_the_questions_that_call_it(tmp_path, function):
    """The answer key with one function replaced by an endless loop, graded in
    the sandbox: exactly the questions whose checks call it lose points."""
    from autograder.grading import grade_student
    from autograder.submissions import compose

    path = tmp_path / f"hang_{function}.py"
    path.write_text(compose(HANG.format(name=function)))
    limits = Limits(call_seconds=1, submission_seconds=20, load_seconds=10)
    with SandboxedStudent(path, limits) as student:
        grade = grade_student(student, "hang")
    users = _QUESTIONS_CALLING.get(function, set())
    assert spec.question_of(function) in users
    for q in grade.questions:
        if q.id in users:
            assert q.score < q.max_score, (q.id, q.feedback)
        else:
            assert q.score == q.max_score, (q.id, q.feedback)
    feedback = " ".join(grade.question(spec.question_of(function)).feedback)
    # a backward meets its cost case first: it is stopped there, by the cost limit or,
    # with these small limits, by the question's time budget
    assert ("did not finish within 1 s" in feedback or "did not finish within 5.0 s" in feedback
            or "did not finish before the time budget" in feedback), feedback


_QUESTIONS_CALLING = _questions_calling()
