"""autograder.incell: the hidden checks run in a kernel's namespace give the
same scores as rnngrade's grading of the same (trusted) code, and write
nothing to stderr (nbgrader zeroes a test cell that does)."""

import warnings
from pathlib import Path

import pytest

from autograder import incell
from autograder.grading import grade_source
from autograder.spec import QUESTIONS
from autograder.submissions import compose, stub_source

FILES = Path(__file__).parent / "files"
CASES = {
    "reference": compose(""),
    "stub": stub_source(),
    "sigmoid_naive_exp": compose(FILES / "correct" / "sigmoid_naive_exp.py"),
    "dW_hh_transposed": compose(FILES / "bugs" / "dW_hh_transposed.py"),
    "chain_product_sums": compose(FILES / "bugs" / "chain_product_sums.py"),
    "clip_per_tensor": compose(FILES / "bugs" / "clip_per_tensor.py"),
}


def _namespace(source):
    ns = {"__name__": "notebook"}
    exec(compile(source, "<notebook>", "exec"), ns)      # trusted fixtures only
    return ns


@pytest.mark.parametrize("name", sorted(CASES))
def test_scores_equal_rnngrade(name, capfd):
    ns = _namespace(CASES[name])
    expected = {q["id"]: q["score"] for q in grade_source(CASES[name]).to_dict()["questions"]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # a warning escaping would raise here
        got = {q.id: incell.question_score(q.id, ns) for q in QUESTIONS}
    assert got == expected
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def test_function_passed_and_feedback():
    ns = _namespace(CASES["dW_hh_transposed"])
    assert not incell.function_passed("rnn_step_backward", ns)
    assert incell.function_passed("rnn_step_forward", ns)
    earned, most = incell.function_score("rnn_step_backward", ns)
    assert 0 <= earned < most == 10.0
    lines = incell.question_feedback("q1", ns)
    assert any(line.startswith("`rnn_step_backward`: ") for line in lines)


def test_a_new_definition_is_graded_anew():
    ns = _namespace(CASES["stub"])
    assert incell.question_score("q0", ns) == 0.0
    ns.update(_namespace(CASES["reference"]))          # the student fills the cells in
    assert incell.question_score("q0", ns) == 5.0
