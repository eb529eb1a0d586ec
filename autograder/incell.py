"""The hidden checks from inside a notebook kernel: what otter's and
nbgrader's hidden test cells call.

    from autograder import incell
    incell.question_score("q1", globals())       # 0.0 .. 15.0, for nbgrader
    incell.function_passed("rnn_step_backward", globals())   # True/False, for otter

The checks are the same as ``rnngrade grade``'s (grading.grade_question),
run on the notebook's own functions in the kernel, so the scores equal
rnngrade's for honest code. They do not defend against hostile code: a test
that shares the student's kernel can be fooled (../README.md, "Security");
``rnngrade grade`` and the hardened platform entry points grade in the
sandbox instead.

Nothing is written to stderr and no warning escapes (nbgrader zeroes a
test cell that writes to stderr): a student's overflow warning must not
cost the points the checks gave. One question is graded once per set of
function objects; re-running a cell with the same functions reuses it.
"""

import contextlib
import io
import warnings

import numpy as np

from .grading import Grade, grade_question
from .spec import QUESTIONS, question_of
from .student import LocalStudent

_QUESTIONS = {q.id: q for q in QUESTIONS}
_memo = {}


def _graded(qid, namespace):
    """(QuestionGrade, Grade) of question qid for the functions in namespace."""
    q = _QUESTIONS[qid]
    ns = dict(namespace)
    key = (qid,) + tuple(id(ns.get(name)) for name in q.points)
    if key not in _memo:
        grade = Grade(student="notebook")
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            qgrade = grade_question(LocalStudent(ns), q, grade)
        _memo.clear()                      # keep one entry: the functions change as the student edits
        _memo[key] = (qgrade, grade)
    return _memo[key]


def question_score(qid, namespace):
    """Points earned on question qid (a float rounded to 2 places)."""
    return _graded(qid, namespace)[0].score


def question_feedback(qid, namespace):
    """The feedback lines of question qid, as rnngrade writes them."""
    return list(_graded(qid, namespace)[0].feedback)


def function_score(name, namespace):
    """(earned, max) points of one contract function."""
    fgrade = _graded(question_of(name), namespace)[1].functions[name]
    return fgrade.score, fgrade.max_score


def function_passed(name, namespace):
    """True when the function earned all its points."""
    earned, most = function_score(name, namespace)
    return earned >= most - 1e-9
