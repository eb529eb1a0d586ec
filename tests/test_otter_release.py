"""The otter-grader release (autograder/build/otter_release.py), with the real tools.

Fast tests check the master notebook (with otter's own solution stripping)
and the validation of assignments/rnn_gradients/otter_config.json. Tests
marked slow run the real ``otter assign`` (once per language for the
module), execute the student notebooks in a kernel (nbclient + ipykernel),
grade filled-in release notebooks with ``otter run`` and with ``rnngrade
grade`` (both as subprocesses) and compare the questions that lose points.
Every submission here is trusted code (the answer key, stubs, the catalogue
of buggy submissions); nothing hostile runs in these tests.
"""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import spec, submissions
from autograder.build import build_notebooks, otter_config, otter_release
from autograder.build.fill import fill_notebook
from test_build_notebook import CJK, _copied_lines, _prose

ROOT = Path(__file__).resolve().parent.parent
BUGS = ROOT / "tests" / "files" / "bugs"
NAME = otter_release.MASTER_NAME
OTTER_TIMEOUT = 900                       # seconds: the machine may be busy
# Trusted buggy submissions, each costing points on different questions.
BUG_FILES = ("chain_product_sums", "dW_hh_transposed", "gru_dz_sign_flipped")


# ---------------------------------------------------------------------------
# The master notebook (fast: no otter run)

@pytest.fixture(scope="module")
def master():
    config = otter_config.load()
    books = build_notebooks("en")
    nb = otter_release.master_notebook(books, config, public=False)
    return books, nb


def _otter_student_source(cell):
    """What otter assign makes of a master code cell in the student notebook
    (otter's own function, as its notebook transformer calls it)."""
    from otter.assign.solutions import replace_solutions
    return "\n".join(replace_solutions(cell.source.split("\n"), "python"))


def test_otter_strips_each_function_cell_to_our_stub(master):
    """Does otter's solution stripping leave exactly our stub, docstring and raise included?"""
    books, nb = master
    stubs = {c.id: c.source for c in books["student"].cells
             if c.metadata.get("rnngrade", {}).get("role") == "function"}
    cells = {c.id: c for c in nb.cells if c.metadata.get("rnngrade", {}).get("role") == "function"}
    assert sorted(cells) == sorted(stubs) and len(stubs) == len(spec.FUNCTIONS)
    for cell_id, stub in stubs.items():
        assert _otter_student_source(cells[cell_id]) == stub.strip("\n"), cell_id
        assert "raise NotImplementedError()" in stub


def test_master_has_a_question_per_id_with_spec_points_and_manual_written_questions(master):
    """Are q0..q6 otter questions worth spec's points, with one hidden test per function,
    and every written answer a manual question?"""
    _, nb = master
    raw = [c.source for c in nb.cells if c.cell_type == "raw"]
    for q in spec.QUESTIONS:
        points = sum(q.points.values())
        assert f"# BEGIN QUESTION\nname: {q.id}\npoints: {points}" in raw
    hidden = [c.source for c in nb.cells if c.cell_type == "code" and "incell.function_passed" in c.source]
    assert len(hidden) == len(spec.FUNCTIONS)
    for name in spec.FUNCTIONS:
        points = spec.QUESTIONS[spec.QUESTION_IDS.index(spec.question_of(name))].points[name]
        assert any(f'"{name}"' in h and "hidden: true" in h and f"points: {points}" in h
                   for h in hidden), name
    manual = [s for s in raw if s.startswith("# BEGIN QUESTION") and "manual: true" in s]
    answers = [c for c in build_notebooks("en")["solution"].cells
               if c.metadata.get("rnngrade", {}).get("role") == "answer"]
    assert len(manual) == len(answers) >= 3
    for answer in answers:                 # worth its rubric's points (the notebook source's)
        role = answer.metadata["rnngrade"]
        assert f"name: {role['name']}\nmanual: true\npoints: {role['points']}" in "\n".join(manual)


# ---------------------------------------------------------------------------
# otter_config.json validation (fast)

def _write_config(tmp_path, data, requirements=True):
    if requirements:
        (tmp_path / "requirements.txt").write_text("numpy\n")
    path = tmp_path / "otter_config.json"
    path.write_text(json.dumps(data))
    return path


GOOD = {"name": "rnn_gradients", "requirements": "requirements.txt"}


def test_the_repository_config_is_valid_and_its_requirements_exist():
    config = otter_config.load()
    assert Path(config["requirements"]).is_file()
    assert "numpy" in Path(config["requirements"]).read_text()


@pytest.mark.parametrize("change, message", [
    ({"show_hiden": False}, "unknown key(s) show_hiden"),
    ({"generate": {"show_hiden": False}}, "generate: unknown key(s) show_hiden"),
    ({"run_tests": "yes"}, "run_tests must be true or false, got \"yes\""),
    ({"export_cell": {"pdf": "no"}}, "export_cell: pdf must be true or false"),
    ({"python_version": 3.1}, "python_version must be a string, got 3.1"),
    ({"written_question_points": 2}, "unknown key(s) written_question_points"),
    ({"generate": []}, "generate must be a JSON object"),
    ({"requirements": "reqs.txt"}, "requirements: reqs.txt does not exist"),
    ({"files": ["data.csv"]}, "files[0]: data.csv does not exist"),
])
def test_a_bad_config_is_refused_with_a_message(tmp_path, change, message):
    path = _write_config(tmp_path, {**GOOD, **change})
    with pytest.raises(otter_config.OtterConfigError) as err:
        otter_config.load(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_missing_requirements_file_is_refused(tmp_path):
    path = _write_config(tmp_path, GOOD, requirements=False)
    with pytest.raises(otter_config.OtterConfigError, match="requirements.txt does not exist"):
        otter_config.load(path)


def test_a_missing_required_key_is_refused(tmp_path):
    path = _write_config(tmp_path, {"name": "rnn_gradients"})
    with pytest.raises(otter_config.OtterConfigError, match="missing key"):
        otter_config.load(path)


def test_a_good_config_passes_otter_keys_on(tmp_path):
    path = _write_config(tmp_path, {**GOOD, "generate": {"show_hidden": True}})
    config = otter_config.load(path)
    assigned = otter_config.assignment_config(config, ["rnn_checks"], ["autograder"])
    assert assigned["generate"] == {"show_hidden": True}
    assert assigned["requirements"] == "requirements.txt"
    assert assigned["files"] == ["rnn_checks"] and assigned["autograder_files"] == ["autograder"]


# ---------------------------------------------------------------------------
# The real otter assign

@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """{lang: release folder}, built once by the real otter assign (its own
    tests run: the solution notebook must earn every point)."""
    out = tmp_path_factory.mktemp("otter")
    for lang in ("en", "zh"):
        otter_release.build_otter(lang, out / lang / "otter")
    return {lang: out / lang / "otter" for lang in ("en", "zh")}


def _student(release):
    return nbformat.read(release / "student" / NAME, as_version=4)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_release_has_otters_layout(releases, lang):
    release = releases[lang]
    assert (release / "student" / NAME).is_file()
    assert (release / "autograder" / otter_release.ZIP_NAME).is_file()
    assert not list((release / "autograder").glob("*-autograder_*.zip"))
    with zipfile.ZipFile(release / "autograder" / otter_release.ZIP_NAME) as z:
        names = set(z.namelist())
        environment = z.read("environment.yml").decode()
    assert {"run_autograder", "setup.sh", "environment.yml", "otter_config.json"} <= names
    assert "python=3.11" in environment and "numpy>=2.0,<3" in environment   # our requirements
    assert {f"tests/{q}.py" for q in spec.QUESTION_IDS} <= names
    assert {"files/autograder/incell.py", "files/solutions/rnn.py"} <= names
    assert _student(release).metadata["otter"]["assignment_name"] == "rnn_gradients"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_student_release_holds_no_reference_code_and_no_hidden_test(releases, lang):
    student = releases[lang] / "student"
    assert not (student / "autograder").exists() and not (student / "solutions").exists()
    texts = [p.read_text(encoding="utf-8") for p in student.rglob("*")
             if p.is_file() and p.suffix in (".py", ".ipynb", ".json", ".txt", ".md")]
    nb = _student(releases[lang])
    texts += [c.source for c in nb.cells]
    assert _copied_lines(texts) == {}
    everything = "\n".join(texts)
    assert "incell" not in everything and "function_passed" not in everything
    for test in nb.metadata["otter"]["tests"].values():
        for suite in test["suites"]:
            assert all(not case["hidden"] for case in suite["cases"])
    # the controls: otter's autograder notebook holds both, and the detectors see them
    solution = (releases[lang] / "autograder" / NAME).read_text(encoding="utf-8")
    assert len(_copied_lines([c.source for c in nbformat.reads(solution, 4).cells])) > 100
    assert "function_passed" in solution


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_otters_student_cells_are_our_stubs(releases, lang):
    """Is every function cell of otter's student notebook our stub, byte for byte?"""
    ours = {c.id: c.source for c in build_notebooks(lang)["student"].cells
            if c.metadata.get("rnngrade", {}).get("role") == "function"}
    theirs = {c.id: c.source for c in _student(releases[lang]).cells if c.id in ours}
    assert theirs == ours


@pytest.mark.slow
def test_the_release_notebooks_speak_their_language(releases):
    zh, en = _prose(_student(releases["zh"])), _prose(_student(releases["en"]))
    prose = [c for c in _student(releases["zh"]).cells if c.cell_type == "markdown"
             and re.sub(r"<!--.*?-->", "", c.source).strip()]     # otter's markers left out
    assert any(c.source.startswith("## 提交") for c in prose)       # otter's, localised
    assert prose and all(CJK.search(c.source) for c in prose)
    assert len(CJK.findall(zh)) > 1000
    assert CJK.findall(en) == []


@pytest.mark.slow
def test_the_build_is_byte_reproducible(tmp_path):
    """Do two builds of the en release give the same bytes, zip included? (Back to
    back, without otter's own test run, so that the files copied from the
    repository are the same in both.)"""
    config = json.loads(otter_config.DEFAULT_PATH.read_text())
    shutil.copy(otter_config.DEFAULT_PATH.parent / config["requirements"], tmp_path)
    path = _write_config(tmp_path, {**config, "run_tests": False}, requirements=False)
    first, again = tmp_path / "first", tmp_path / "again"
    for out in (first, again):
        otter_release.build_otter("en", out, config_path=path)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (again / rel).read_bytes(), rel


# ---------------------------------------------------------------------------
# The student notebook in a kernel

def _execute(release, tmp_path):
    """Run a copy of the student folder's notebook top to bottom; the executed notebook."""
    from nbclient import NotebookClient
    work = tmp_path / "student"
    shutil.copytree(release / "student", work)
    nb = nbformat.read(work / NAME, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_student_notebook_runs_without_an_error_cell(releases, lang, tmp_path):
    nb = _execute(releases[lang], tmp_path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    checks = [c for c in nb.cells if c.cell_type == "code" and "grader.check(" in c.source]
    assert len(checks) == len(spec.QUESTIONS)
    text = json.dumps([c.outputs for c in checks])
    assert "not implemented yet" in text


# ---------------------------------------------------------------------------
# otter run against rnngrade grade on the same filled-in release notebooks

def _otter_run(zip_path, notebook, out):
    out.mkdir()
    subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(out),
                    str(notebook)], check=True, capture_output=True, timeout=OTTER_TIMEOUT)
    results = json.loads((out / "results.json").read_text())
    return {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]
            if t["name"] in spec.QUESTION_IDS}


def _rnngrade(notebook):
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "rnngrade"), "grade", str(notebook),
                           "--json", "--quiet", "--jobs", "1"],
                          check=True, capture_output=True, text=True, timeout=OTTER_TIMEOUT)
    row = json.loads(done.stdout)["submissions"][0]
    return {q["id"]: (q["score"], q["max_score"]) for q in row["questions"]}


@pytest.fixture(scope="module")
def graded(releases, tmp_path_factory):
    """{submission: (otter scores, rnngrade scores)}, each {qid: (score, max)}, for
    filled-in en release notebooks: the answer key, the untouched stubs, three bugs."""
    work = tmp_path_factory.mktemp("graded")
    release = releases["en"]
    student = _student(release)
    sources = {"answer_key": submissions.reference_source()}
    sources.update({name: submissions.compose(BUGS / f"{name}.py") for name in BUG_FILES})
    notebooks = {name: fill_notebook(student, text) for name, text in sources.items()}
    notebooks["untouched"] = student
    out = {}
    for name, nb in notebooks.items():
        path = work / name / NAME
        path.parent.mkdir()
        nbformat.write(nb, path)
        zip_path = release / "autograder" / otter_release.ZIP_NAME
        out[name] = (_otter_run(zip_path, path, work / name / "otter"), _rnngrade(path))
    return out


def _maxima(scores):
    return {q: most for q, (_, most) in scores.items()}


@pytest.mark.slow
def test_otter_gives_the_answer_key_full_marks_and_the_untouched_notebook_zero(graded):
    otter_key, _ = graded["answer_key"]
    otter_stub, _ = graded["untouched"]
    assert all(score == most for score, most in otter_key.values())
    assert all(score == 0 for score, _ in otter_stub.values())
    assert sum(most for _, most in otter_key.values()) == spec.MAX_SCORE


@pytest.mark.slow
def test_per_question_maxima_equal_rnngrades(graded):
    expected = {q.id: sum(q.points.values()) for q in spec.QUESTIONS}
    for otter_scores, rnngrade_scores in graded.values():
        assert _maxima(otter_scores) == expected == _maxima(rnngrade_scores)


@pytest.mark.slow
def test_the_hidden_tests_use_the_package_shipped_in_the_zip(releases, tmp_path):
    """Does otter run grade with the zip's own copy of autograder (as on Gradescope,
    where nothing else provides it)? A copy of the zip whose incell fails every
    function gives the answer key zero (the unmodified zip gives it full marks:
    test_otter_gives_the_answer_key_full_marks_and_the_untouched_notebook_zero)."""
    release = releases["en"]
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(release / "autograder" / otter_release.ZIP_NAME) as zin, \
            zipfile.ZipFile(broken, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "files/autograder/incell.py":
                data += b"\n\ndef function_passed(name, namespace):\n    return False\n"
            zout.writestr(zin.getinfo(name), data)
    key = tmp_path / "key" / NAME
    key.parent.mkdir()
    nbformat.write(fill_notebook(_student(release), submissions.reference_source()), key)
    scores = _otter_run(broken, key, tmp_path / "out")
    assert set(scores) == set(spec.QUESTION_IDS)
    assert all(score == 0 for score, _ in scores.values())


@pytest.mark.slow
def test_buggy_submissions_lose_points_on_the_same_questions(graded):
    """Do otter and rnngrade take points on the same questions, otter never giving more?"""
    for name in BUG_FILES:
        otter_scores, rnngrade_scores = graded[name]
        lost_otter = {q for q, (s, m) in otter_scores.items() if s < m}
        lost_rnngrade = {q for q, (s, m) in rnngrade_scores.items() if s < m}
        assert lost_otter == lost_rnngrade != set(), name
        for q, (score, _) in otter_scores.items():
            assert score <= rnngrade_scores[q][0], (name, q)
