"""The public checks students run (autograder/public): the hidden checks' code on
public cases, shipped as check code and recorded data only.

The bundle runs in a subprocess where `solutions` and `autograder` cannot be
imported; the answer key, the stubs and catalogue bugs (trusted files) are
exec'd there into a namespace under another module name, as a notebook's
globals() would hold them.
"""

import dataclasses
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder import public, spec
from autograder.checks import ALL_CHECKS, oracle
from autograder.checks.hidden import HIDDEN, HiddenOracle
from autograder.grading import grade_source
from autograder.student import LocalStudent
from autograder.submissions import compose, reference_source, stub_source
from test_build_notebook import reference_lines

FILES = Path(__file__).parent / "files"
# Catalogue bugs across the questions (a step, a sequence, the Jacobian, a gated
# layer's known variant, the GRU, clipping, products, saturation, float32).
BUGS = ("dW_hh_transposed", "db_not_summed_over_batch", "dh_from_next_step_not_added",
        "hidden_jacobian_W_hh_transposed", "lstm_c0_is_h0", "gru_z_and_one_minus_z_swapped",
        "clip_per_tensor", "chain_product_sums", "tanh_via_exp_overflows", "rnn_step_float32",
        "decay_rate_log10")
RUNNER = textwrap.dedent('''
    import contextlib, io, json, os, sys
    sys.modules["solutions"] = None          # the bundle must not need the answer key...
    sys.modules["autograder"] = None         # ...nor the autograder it was copied from
    sys.path.insert(0, os.getcwd())
    from rnn_checks import check
    out = {}
    for name, path in json.loads(sys.argv[1]).items():
        ns = {"__name__": "notebook_" + name}
        exec(compile(open(path, encoding="utf-8").read(), name, "exec"), ns)
        out[name] = {}
        for qid in json.loads(sys.argv[2]):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                report = check(qid, ns)
            out[name][qid] = {"passed": report.passed, "lines": report.lines, "repr": repr(report),
                              "printed": printed.getvalue()}
    print(json.dumps(out))
''')


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    written = public.write_bundle(folder)
    return folder, written


def run_public(bundle_folder, sources, tmp_path):
    """{name: {qid: report dict}} of the public checks on each source, in a subprocess."""
    paths = {}
    for name, text in sources.items():
        paths[name] = str(tmp_path / f"{name}.py")
        Path(paths[name]).write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(paths), json.dumps(spec.QUESTION_IDS)],
                          cwd=bundle_folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == ""                         # nbgrader zeroes a test cell that writes to stderr
    return json.loads(done.stdout)


def _finding(line):
    """A feedback line without what differs by profile: its case count ('in 2 of 3
    cases, e.g. ...') and how far off the values are ('max relative error 2.3e-06')."""
    line = re.sub(r" \((in \d+ of \d+ cases|in 1 case|in \d+ cases)[^)]*\)$", "", line.strip())
    return re.sub(r"\d+(\.\d+)?(e[-+]\d+)?%?", "#", line)


@pytest.fixture(scope="module")
def reports(bundle, tmp_path_factory):
    sources = {"answer_key": reference_source(), "stubs": stub_source()}
    sources.update({bug: compose((FILES / "bugs" / f"{bug}.py").read_text()) for bug in BUGS})
    return run_public(bundle[0], sources, tmp_path_factory.mktemp("sources"))


def test_the_answer_key_passes_every_public_case(reports):
    for qid, report in reports["answer_key"].items():
        assert report["passed"] is True
        for name in spec.QUESTIONS[spec.QUESTION_IDS.index(qid)].points:
            assert any(re.fullmatch(rf"`{name}`: (\d+) of \1 public cases? passed", line)
                       for line in report["lines"]), report["lines"]
        assert report["lines"][-1].startswith(f"All public cases of {qid} passed. The hidden tests check more")


def test_the_report_is_printed_once_and_is_the_repr(reports):
    for report in reports["answer_key"].values():
        assert report["printed"] == report["repr"] + "\n" == "\n".join(report["lines"]) + "\n"


def test_stubs_are_not_implemented_yet(reports):
    """Does every function of the untouched notebook say 'not implemented yet'?"""
    for qid, report in reports["stubs"].items():
        assert report["passed"] is False
        for name in spec.QUESTIONS[spec.QUESTION_IDS.index(qid)].points:
            line = next(line for line in report["lines"] if line.startswith(f"`{name}`:"))
            assert "not implemented yet" in line, line
        assert "hidden tests check more" in report["lines"][-1]


@pytest.mark.parametrize("bug", BUGS)
def test_a_catalogue_bug_fails_publicly_where_rnngrade_takes_points(reports, bug):
    """Does the bug fail the questions rnngrade takes points from, and only those, saying
    what rnngrade says about it (up to the number of cases)?"""
    grade = grade_source(compose((FILES / "bugs" / f"{bug}.py").read_text()), bug)
    lost = {q.id for q in grade.questions if q.score < q.max_score}
    failed = {qid for qid, report in reports[bug].items() if not report["passed"]}
    assert lost and failed == lost
    for qid in lost:
        hidden = {_finding(line) for line in grade.question(qid).feedback}
        shown = {_finding(line) for line in reports[bug][qid]["lines"]}
        assert hidden & shown, (qid, shown)


def test_the_bundle_holds_no_reference_code_and_no_answer_key_import(bundle):
    folder, written = bundle
    reference = reference_lines()
    assert len(reference) > 100
    for path in written:
        assert "solutions" not in path.parts and path.name != "hidden.py"
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+solutions\b", text, re.M), path
        assert not re.search(r"^\s*(import|from)\s+autograder\b", text, re.M), path
        lines = {" ".join(line.split("#")[0].split()) for line in text.splitlines()}
        assert not (lines & set(reference)), (path, sorted(lines & set(reference))[:3])
    assert {p.relative_to(folder).as_posix() for p in written} >= {
        "rnn_checks/__init__.py", "rnn_checks/run.py", "rnn_checks/public_cases.json",
        "rnn_checks/checks/oracle.py", "rnn_checks/grading.py"}


def _numbers(value, out):
    """Every float in recorded data (oracle.encode's layout)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "array":
                out.update(item)
            elif key in ("float64", "value") and isinstance(item, float):
                out.add(item)
            elif key != "shape":
                _numbers(item, out)
    elif isinstance(value, list):
        for item in value:
            _numbers(item, out)
    return out


def test_no_hidden_expected_value_is_shipped(bundle):
    """Is no number of the answer key's outputs on the hidden cases in the public data?

    Only values that are the same whatever the inputs may be shared: 0, +-1 and
    +-tanh(1) (saturated gates: o = 1 and c = 1 give h = tanh(1)).
    """
    recorder = oracle.RecordingOracle(HiddenOracle())
    with oracle.using(oracle.Mode(dataclasses.replace(HIDDEN, cost=False), recorder)):
        for check in ALL_CHECKS.values():
            check(LocalStudent({}))
    hidden = _numbers([r["value"] for r in recorder.records().values()], set())
    data = json.loads((bundle[0] / "rnn_checks" / "public_cases.json").read_text())
    shipped = _numbers([r["value"] for r in data["records"].values()], set())
    assert len(hidden) > 1000 and len(shipped) > 500
    constants = {0.0, 1.0, -1.0, 0.7615941559557649, -0.7615941559557649}
    assert (hidden & shipped) - constants == set()
    assert not set(recorder.records()) & set(data["records"])           # no hidden call digest either


def test_an_unknown_question_is_refused(bundle):
    done = subprocess.run([sys.executable, "-c", "import sys, os; sys.path.insert(0, os.getcwd());"
                           "from rnn_checks import check; check('q9', {})"],
                          cwd=bundle[0], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "unknown question 'q9'" in done.stderr


def test_the_sandbox_skips_the_public_check_cells(tmp_path):
    """Does rnngrade grade a built notebook without running its check cells (the bundle is
    not there when grading, so each would leave a note 'No module named rnn_checks')?"""
    from autograder import build
    from autograder.build import notebook
    from autograder.sandbox.notebook import PUBLIC_CHECK_CELL

    assert all(PUBLIC_CHECK_CELL.fullmatch(notebook.check_cell(qid)) for qid in spec.QUESTION_IDS)
    assert not PUBLIC_CHECK_CELL.fullmatch(notebook.check_cell("q1") + "x = 1\n")
    path = notebook.write(build.build_notebooks("en")["student"], tmp_path / "untouched.ipynb")
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(path), "--json", "--quiet",
                           "--jobs", "1"], capture_output=True, text=True, timeout=900,
                          cwd=Path(__file__).resolve().parent.parent)
    (row,) = json.loads(done.stdout)["submissions"]
    assert row["status"] == "graded" and row["score"] == 0.0
    assert "rnn_checks" not in json.dumps(row)


def test_data_that_lack_a_case_say_the_checks_could_not_run(tmp_path, capsys):
    """Recorded data without the question's cases: each function says the checks could not
    run (the replay oracle refused), nothing passes, and nothing goes to stderr."""
    import solutions
    from autograder.public import run

    empty = tmp_path / "public_cases.json"
    empty.write_text(oracle.RecordingOracle(HiddenOracle()).dumps(), encoding="utf-8")
    report = run.check("q1", vars(solutions), data=empty)
    assert report.passed is False
    assert all("the public checks could not run: " in line and "UnrecordedCall" in line
               for line in report.lines[1:-1]), report.lines
    out = capsys.readouterr()
    assert out.err == "" and out.out == repr(report) + "\n"
