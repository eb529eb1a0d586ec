"""docs/CONTRACT.md and autograder/spec.py say the same thing: the question
table's ids, functions, points and maxima, and the tolerances."""

import re
from pathlib import Path

import pytest

from autograder import spec

DOC = Path(__file__).resolve().parent.parent / "docs" / "CONTRACT.md"
ROW = re.compile(r"^\| (q\d) \| ([^|]+) \| ([^|]+) \| ([\d.]+) \|$")
FUNC = re.compile(r"`(\w+)` \(([\d.]+)\)")


def _table():
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            qid, title, funcs, most = m.groups()
            rows[qid] = (title.strip(), {n: float(p) for n, p in FUNC.findall(funcs)}, float(most))
    return rows


def test_every_question_is_in_the_table():
    assert list(_table()) == list(spec.QUESTION_IDS)


@pytest.mark.parametrize("question", spec.QUESTIONS, ids=lambda q: q.id)
def test_question_row_matches_spec(question):
    title, points, most = _table()[question.id]
    assert title == question.title
    assert points == question.points                   # names, order-free, and points
    assert list(points) == list(question.points)       # and the contract's order
    assert most == sum(question.points.values())


def test_total_and_tolerances_are_stated():
    text = DOC.read_text(encoding="utf-8")
    assert f"{spec.MAX_SCORE:g} points in all" in text
    for tol in (spec.FORWARD_TOL, spec.GRADIENT_TOL, spec.EXACT_RATE_TOL):
        assert f"{tol:.0e}".replace("e-0", "e-") in text       # 1e-07 is written 1e-7
    assert f"{spec.APPROX_RATE_REL_TOL:.0%}" in text
    assert f"{1 - spec.DTYPE_PENALTY:.0%}" in text


def test_readme_and_help_point_to_the_contract():
    root = DOC.parent.parent
    assert "docs/CONTRACT.md" in (root / "README.md").read_text(encoding="utf-8")
    from autograder.cli import build_parser
    assert "docs/CONTRACT.md" in build_parser().format_help()
