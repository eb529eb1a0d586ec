"""The oracle seam (autograder/checks/oracle.py): the checks reach the answer key
only through it; recorded answers replay exactly and nothing else.
"""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

import solutions
from autograder import public
from autograder.checks import ALL_CHECKS, oracle
from autograder.checks.hidden import HIDDEN, HiddenOracle
from autograder.checks.profile import PUBLIC
from autograder.grading import grade_student
from autograder.student import LocalStudent

CHECKS = Path(__file__).resolve().parent.parent / "autograder" / "checks"
IMPORTS_SOLUTIONS = re.compile(r"^\s*(import\s+solutions\b|from\s+solutions\b)", re.M)


@pytest.fixture(scope="module")
def recorded():
    return public.record()


def test_only_the_hidden_module_imports_the_answer_key():
    """Does every check module but hidden.py stay away from `solutions`?"""
    importing = sorted(p.name for p in CHECKS.glob("*.py") if IMPORTS_SOLUTIONS.search(p.read_text()))
    assert importing == ["hidden.py"]
    assert IMPORTS_SOLUTIONS.search("    import solutions  # lazily\n")       # the pattern does match


def test_the_default_mode_is_the_hidden_one_and_using_switches_it():
    assert oracle.current().profile is HIDDEN
    mode = oracle.Mode(PUBLIC, HiddenOracle())
    with oracle.using(mode):
        assert oracle.current() is mode
    assert oracle.current().profile is HIDDEN


def test_recording_twice_gives_the_same_bytes(recorded):
    assert public.record() == recorded
    assert recorded.endswith("\n") and '"format":1' in recorded


def test_the_replay_oracle_refuses_an_unrecorded_call(recorded):
    replay = oracle.ReplayOracle(recorded)
    with pytest.raises(oracle.UnrecordedCall, match="`chain_product`"):
        replay.call("chain_product", [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])      # a hidden case
    with pytest.raises(oracle.UnrecordedCall):
        replay.seconds("rnn_backward", np.zeros((1, 1, 1)), oracle.CacheToken("0" * 32))


def test_a_forward_and_its_backward_replay_through_the_cache_token(recorded):
    """Do replayed outputs equal the answer key's, the backward keyed by the forward's token?"""
    replay, hidden = oracle.ReplayOracle(recorded), HiddenOracle()
    with oracle.using(oracle.Mode(PUBLIC, replay)):
        from autograder.checks.layers import reference
        from autograder.checks.q4_lstm import LSTM_STEP
        args, outs, upstream, grads = reference(LSTM_STEP, PUBLIC.shapes[0])
    h, c, token = solutions.lstm_step_forward(*args)
    assert np.array_equal(outs[0], h) and np.array_equal(outs[1], c)
    *_, cache = replay.call("lstm_step_forward", *args)
    assert isinstance(cache, oracle.CacheToken)
    assert cache == hidden.call("lstm_step_forward", *args)[-1]
    expected = solutions.lstm_step_backward(*upstream, token)
    for got, want in zip(grads, expected):
        if isinstance(want, dict):
            assert sorted(got) == sorted(want) and all(np.array_equal(got[k], want[k]) for k in want)
        else:
            assert np.array_equal(got, want)


def test_encode_and_decode_are_inverse():
    value = ({"W": np.arange(6.0).reshape(2, 3), "b": np.float64(0.5)}, [1.5, np.zeros((0, 2))],
             oracle.CacheToken("ab"), 3, None, "text")
    back = oracle.decode(oracle.encode(value))
    assert isinstance(back, tuple) and isinstance(back[1], list) and back[2:] == value[2:]
    assert np.array_equal(back[0]["W"], value[0]["W"]) and isinstance(back[0]["b"], np.float64)
    assert back[1][1].shape == (0, 2)


def test_a_digest_ignores_an_ulp_and_sees_a_real_change():
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert oracle.digest("f", (x,)) == oracle.digest("f", (np.nextafter(x, np.inf),))
    assert oracle.digest("f", (x,)) != oracle.digest("f", (x + 1e-3,))
    assert oracle.digest("f", (x,)) != oracle.digest("g", (x,))
    assert oracle.digest("f", ([1.0],)) != oracle.digest("f", ((1.0,),))


def test_the_answer_key_gets_full_marks_from_the_replayed_public_cases(recorded):
    """The same grading code under the public Mode: every public case passes for the answer key."""
    with oracle.using(oracle.Mode(PUBLIC, oracle.ReplayOracle(recorded))):
        grade = grade_student(LocalStudent(solutions), "answer key")
    assert grade.status == "graded", grade.notes
    assert all(q.score == q.max_score for q in grade.questions), [q.feedback for q in grade.questions]
    assert all(c.status == "ok" for f in grade.functions.values() for c in f.cases)


def test_public_cases_are_fewer_than_the_hidden_ones(recorded):
    """Does every check run fewer cases publicly (the hidden ones check more)?"""
    student = LocalStudent(solutions)
    hidden_profile = dataclasses.replace(HIDDEN, cost=False)
    with oracle.using(oracle.Mode(hidden_profile, HiddenOracle())):
        hidden = {name: len(check(student)) for name, check in ALL_CHECKS.items()}
    with oracle.using(oracle.Mode(PUBLIC, oracle.ReplayOracle(recorded))):
        shown = {name: len(check(student)) for name, check in ALL_CHECKS.items()}
    assert all(0 < shown[name] < hidden[name] for name in ALL_CHECKS), (shown, hidden)
