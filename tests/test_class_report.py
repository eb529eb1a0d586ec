"""The class report (autograder/reports/class_report.py): class_report.json and .html.

End to end (slow): a class of trusted fixtures graded by ``rnngrade grade --out``
in a subprocess: the answer key, two correct variants, one bug planted in three
students (one of them a notebook), another bug in one, the stub, a notebook that
is not JSON, and a syntax error whose file name is an HTML tag. The JSON's counts
must follow from how the class was made, the ungraded files must be listed with
their reasons, the hostile id must be escaped, a second run must give the same
bytes, and Chromium must render the page (a screenshot with the histograms' blue).

Fast: the summary over hand-made result dicts (finding texts without the
students' numbers, histograms, curves) and memory: results are read one at a
time, never kept.
"""

import csv
import html
import json
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from autograder.grading import error_grade
from autograder.reports import class_report
from autograder.reports.tables import json_text
from autograder.spec import FUNCTIONS, QUESTION_IDS
from autograder.submissions import compose, reference_source, stub_source, to_notebook, write_notebook

FILES = Path(__file__).parent / "files"
HOSTILE_ID = "<img src=x onerror=alert(1)>"
TRANSPOSED = ("t1.py", "t2.py", "t3.ipynb")          # the same bug planted in three students
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HISTOGRAM_BLUE = (0x1f, 0x77, 0xb4)


def _override(name):
    return (FILES / name).read_text()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """(class folder, output folder, class_report.json) after one `rnngrade grade --out`."""
    d = tmp_path_factory.mktemp("class")
    out = tmp_path_factory.mktemp("out")
    (d / "ada.py").write_text(reference_source())
    (d / "loops.py").write_text(compose(_override("correct/clip_python_loops.py")))
    (d / "recompute.py").write_text(compose(_override("correct/backward_recomputes_forward.py")))
    transposed = compose(_override("bugs/dW_hh_transposed.py"))
    (d / TRANSPOSED[0]).write_text(transposed)
    (d / TRANSPOSED[1]).write_text(transposed)
    write_notebook(to_notebook(transposed), d / TRANSPOSED[2])
    (d / "reversed.py").write_text(compose(_override("bugs/grad_norms_reversed.py")))
    (d / "stub.py").write_text(stub_source())
    (d / "broken.ipynb").write_text("{ this is not json")
    (d / f"{HOSTILE_ID}.py").write_text("def rnn_step_forward(:\n")
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(d), "--out", str(out),
                           "--jobs", "2", "--quiet"], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    return d, out, json.loads((out / "class_report.json").read_text(encoding="utf-8"))


def _mistakes(report, function, hint_part):
    return [m for m in report["mistakes"] if m["function"] == function and hint_part in m["hint"]]


@pytest.mark.slow
def test_counts_follow_from_how_the_class_was_made(graded_class):
    _, _, report = graded_class
    assert report["n_students"] == 10 and report["n_graded"] == 8
    (transposed,) = _mistakes(report, "rnn_step_backward", "transposed")
    assert transposed["students"] == len(TRANSPOSED) and transposed["question"] == "q1"
    assert "dW_hh" in transposed["finding"] and "cases" not in transposed["finding"]
    (rev,) = _mistakes(report, "gradient_norms_through_time", "norms[t]")
    assert rev["students"] == 1
    # the stub wrote nothing: every function is listed once as not written yet, none as a mistake
    assert {u["function"]: u["students"] for u in report["unfinished"]} == {f: 1 for f in FUNCTIONS}
    assert not any("NotImplementedError" in m["finding"] for m in report["mistakes"])
    counts = [m["students"] for m in report["mistakes"]]
    assert counts == sorted(counts, reverse=True)
    # no row for what the correct students did: every mistake is someone's lost points
    assert sum(counts) < report["n_students"] * 19


@pytest.mark.slow
def test_histograms_sum_to_the_class_and_the_scores_match_grades_csv(graded_class):
    _, out, report = graded_class
    assert [q["id"] for q in report["questions"]] == list(QUESTION_IDS)
    for scores in [report["total"]] + report["questions"]:
        assert sum(scores["histogram"]["counts"]) == report["n_students"]
        assert len(scores["histogram"]["bins"]) == len(scores["histogram"]["counts"]) + 1
        assert scores["histogram"]["bins"][-1] == scores["max_score"]
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        totals = sorted(float(row["score"]) for row in csv.DictReader(f))
    assert report["total"]["max"] == totals[-1]
    assert report["total"]["median"] == pytest.approx((totals[4] + totals[5]) / 2)
    assert report["total"]["full_marks"] == 3           # ada and the two correct variants
    assert report["total"]["histogram"]["counts"][0] == 3   # the stub and the two ungraded files


@pytest.mark.slow
def test_ungraded_submissions_are_listed_with_their_reason(graded_class):
    _, _, report = graded_class
    ungraded = {u["student"]: u["reason"] for u in report["ungraded"]}
    assert set(ungraded) == {"broken", HOSTILE_ID}
    assert "JSON" in ungraded["broken"] or "json" in ungraded["broken"]
    assert "SyntaxError" in ungraded[HOSTILE_ID] or "syntax" in ungraded[HOSTILE_ID].lower()


@pytest.mark.slow
def test_the_class_curves_against_the_expected_ones(graded_class):
    _, _, report = graded_class
    assert sorted(report["curves"], key=float) == list(report["curves"])
    assert {float(a) < 1 for a in report["curves"]} == {True, False}      # one vanishing, one exploding
    for curve in report["curves"].values():
        T = len(curve["expected"])
        # every graded student but the stub returned norms; all but the reversed ones match
        assert curve["students"] == 7 and curve["matching"] == 6 and curve["unplottable"] == 0
        assert all(len(curve[k]) == T for k in ("median", "q25", "q75"))
        assert curve["median"] == pytest.approx(curve["expected"], rel=1e-5)
        assert all(a <= b <= c <= d <= e for a, b, c, d, e in
                   zip(curve["min"], curve["q25"], curve["median"], curve["q75"], curve["max"]))
        assert curve["max"][0] > curve["expected"][0] * 1.01 or curve["min"][0] < curve["expected"][0] * 0.99


@pytest.mark.slow
def test_the_hostile_id_is_escaped_and_the_page_runs_nothing(graded_class):
    _, out, _ = graded_class
    page = (out / "class_report.html").read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    report = json.loads((out / "class_report.json").read_text(encoding="utf-8"))
    assert HOSTILE_ID in {u["student"] for u in report["ungraded"]}     # the JSON keeps the real id


@pytest.mark.slow
def test_grading_again_gives_the_same_bytes(graded_class):
    d, out, _ = graded_class
    before = {name: (out / name).read_bytes() for name in ("class_report.json", "class_report.html")}
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(d), "--out", str(out),
                           "--jobs", "2", "--quiet"], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    assert {name: (out / name).read_bytes() for name in before} == before


@pytest.mark.slow
def test_chromium_renders_the_report(graded_class, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)")
    from PIL import Image
    _, out, _ = graded_class
    shot = tmp_path / "class_report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    f"--screenshot={shot}", "--window-size=1200,2400",
                    (out / "class_report.html").resolve().as_uri()],
                   capture_output=True, timeout=300, check=True)
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 1
    assert HISTOGRAM_BLUE in {c for _, c in colours}       # the SVG histograms were drawn


# -- fast: the summary over hand-made results ----------------------------------

def _result(student, score=0.0, functions=(), curves=None, status="graded"):
    """A result dict of the shape grading.Grade.to_dict() gives (scores per question spread evenly)."""
    r = error_grade(student, "load failed").to_dict()
    r["status"] = status
    if status == "graded":
        del r["reason"]
    for q in r["questions"]:
        q["score"] = round(q["max_score"] * score / 100, 2)
    r["score"] = score
    r["functions"] = [{"question": "q1", "function": f, "score": 1.0, "max_score": 10.0,
                       "head": f"`{f}`: 1 / 10 points", "findings": list(lines)} for f, lines in functions]
    if curves:
        r["curves"] = curves
    return r


def test_one_mistake_in_k_students_is_one_row_whatever_their_numbers():
    lines = [["`dW_hh` is wrong: max relative error 1.0e+00 (tolerance 1e-06); it looks transposed "
              f"(in {k} of 8 cases, e.g. N=2 T=3 D=4 H=5)", "Hint: transposed."] for k in (2, 6, 7)]
    results = [_result(f"s{k}", 80, [("rnn_step_backward", ls)]) for k, ls in enumerate(lines)]
    (row,) = class_report.summarise(iter(results))["mistakes"]
    assert row == {"function": "rnn_step_backward", "question": "q1",
                   "finding": "`dW_hh` is wrong; it looks transposed", "hint": "transposed.",
                   "follow_on": False, "students": 3}


def test_functions_not_written_yet_are_counted_apart_from_mistakes():
    missing = [("rnn_step_forward", ["`rnn_step_forward` is not defined: define it with the name and arguments"]),
               ("rnn_step_backward", ["could not test `rnn_step_backward`: `rnn_step_forward` is not defined "
                                      "(in 8 cases, e.g. N=2)"])]
    stub = [("rnn_step_forward", ["`rnn_step_forward` is not implemented yet (it raises NotImplementedError)"])]
    wrong = [("rnn_step_forward", ["`h_next` is wrong (in 2 of 8 cases, e.g. N=2)", "Hint: tanh."])]
    summary = class_report.summarise([_result("a", 0, missing), _result("b", 0, stub), _result("c", 50, wrong)])
    assert summary["unfinished"] == [{"function": "rnn_step_forward", "question": "q1", "students": 2},
                                     {"function": "rnn_step_backward", "question": "q1", "students": 1}]
    assert [(m["finding"], m["students"]) for m in summary["mistakes"]] == [("`h_next` is wrong", 1)]


def test_finding_text_keeps_what_the_mistake_is():
    assert class_report.finding_text("`rnn_step_backward` is also wrong when the pre-activations are large "
                                     "(in 1 case, e.g. saturated: pre-activations up to about +-1e3)") == \
        "`rnn_step_backward` is also wrong when the pre-activations are large"
    assert class_report.finding_text("`f` raised ValueError: x\ny") == "`f` raised ValueError: x\\ny"
    assert class_report.finding_text("`rnn_backward` matches ...: fix that first (in 5 cases, e.g. N=2 T=3)") == \
        "`rnn_backward` matches ...: fix that first"
    for measured in (": relative error 9.6e-01 (tolerance 1e-07)", ": off by 12.2% of the expected value "
                     "(tolerance 5%)", ": off by 3.0e-01 (tolerance 1e-06)"):
        assert class_report.finding_text(f"`rate` is wrong{measured}; the rate is ... (in 1 case, e.g. a)") == \
            "`rate` is wrong; the rate is ..."
    assert class_report.finding_text("`h` is float32; its values are right only to float32 precision (max "
                                     "relative error 6.2e-07, tolerance 1e-07): return float64") == \
        "`h` is float32; its values are right only to float32 precision: return float64"


def test_a_mistake_caused_by_another_function_says_so():
    follow_on = ("`rnn_backward` matches what your `rnn_step_backward` gives when chained over time, so it is "
                 "off only because `rnn_step_backward` is: fix that first; it keeps part of its points")
    r = _result("s", 90, [("rnn_backward", ["`dW_hh` is wrong (in 6 of 9 cases, e.g. N=2)",
                                            f"{follow_on} (in 5 cases, e.g. N=2)"])])
    (row,) = class_report.summarise([r])["mistakes"]
    assert row["finding"] == follow_on and row["hint"] == "" and row["follow_on"]


def test_histogram_bins_and_full_marks():
    results = [_result(s, score) for s, score in (("a", 0.0), ("b", 9.99), ("c", 10.0), ("d", 100.0))]
    total = class_report.summarise(results)["total"]
    assert total["histogram"]["counts"] == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert total["full_marks"] == 1 and total["max"] == 100.0
    assert total["median"] == pytest.approx((9.99 + 10.0) / 2)


def test_curves_count_matching_and_unplottable_students():
    expected = [0.5, 1.0, 2.0]
    curves = lambda yours: {"yours, W_hh = 0.6 Q": yours, "expected, rate 0.6": expected}
    results = [_result("right", 100, curves=curves(list(expected))),
               _result("zeros", 10, curves=curves([0.0, 0.0, 2.0])),
               _result("off", 50, curves=curves([1.0, 2.0, 4.0]))]
    curve = class_report.summarise(results)["curves"]["0.6"]
    assert (curve["students"], curve["matching"], curve["unplottable"]) == (3, 1, 1)
    assert curve["median"] == [0.75, 1.5, 2.0]      # the zeros are left out where they occur
    assert (curve["min"], curve["max"]) == ([0.5, 1.0, 2.0], [1.0, 2.0, 4.0])
    assert curve["expected"] == expected


def test_the_same_results_give_the_same_bytes_and_an_ungraded_id_is_escaped():
    results = [_result(HOSTILE_ID, 0.0, status="error"), _result("b", 50.0)]
    first = class_report.summarise(results)
    page = class_report.class_report_html(first)
    assert json_text(first) == json_text(class_report.summarise(results))
    assert page == class_report.class_report_html(class_report.summarise(results))
    assert "<img" not in page and html.escape(HOSTILE_ID) in page
    assert first["ungraded"] == [{"student": HOSTILE_ID, "reason": "load failed"}]


def test_ids_with_controls_and_invalid_bytes_are_written_safely(tmp_path):
    odd = HOSTILE_ID + "\u202e\udcff\x1b[2J"
    class_report.write_class_report(tmp_path, [_result(odd, status="error")])
    page = (tmp_path / "class_report.html").read_text(encoding="utf-8")
    assert "\\u202e\\udcff\\x1b[2J" in page and "\x1b" not in page and "\u202e" not in page
    raw = (tmp_path / "class_report.json").read_text(encoding="utf-8")
    assert "\u202e" not in raw and json.loads(raw)["ungraded"][0]["student"] == odd


def test_an_empty_class_gives_a_report():
    summary = class_report.summarise(iter(()))
    assert summary["n_students"] == 0 and summary["mistakes"] == [] and summary["curves"] == {}
    assert "0 submissions" in class_report.class_report_html(summary)


class _Result(dict):
    """A result dict that can be watched with a weak reference (no cycles: freed when let go)."""


def test_results_are_read_once_and_never_kept():
    alive, seen = [], []

    def results(n=300):
        for i in range(n):
            r = _Result(_result(f"s{i}", i % 100, [("rnn_step_backward", [f"wrong {i % 3}"])]))
            alive.append(weakref.ref(r))
            yield r
            seen.append(sum(ref() is not None for ref in alive))

    summary = class_report.summarise(results())
    assert summary["n_students"] == 300 and max(seen) <= 2
    assert sum(m["students"] for m in summary["mistakes"]) == 300
