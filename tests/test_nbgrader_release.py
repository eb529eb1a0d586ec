"""The nbgrader release (autograder/build/nbgrader_release.py) with the real
nbgrader: generate_assignment, autograde and generate_feedback on a course
folder, and the release run top to bottom in a real kernel.

Fast tests check the source notebook's metadata and fill_notebook without
a kernel; tests marked slow run nbgrader (command line, the venv's bin on
PATH) and ipykernel. Submissions here are trusted code (the answer key and
the catalogue's buggy and correct variants), never hostile fixtures.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import spec, submissions
from autograder import build
from autograder.build import build_notebooks, notebook, source
from autograder.build import nbgrader_release as release
from autograder.build.fill import defined_functions, fill_notebook
from test_build_notebook import CJK, _copied_lines, _prose, reference_lines

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
POINTS = {q.id: sum(q.points.values()) for q in spec.QUESTIONS}
# Trusted submissions graded by both nbgrader and rnngrade: file -> fixture.
BUGS = ("dW_hh_transposed", "chain_product_sums", "clip_per_tensor",
        "lstm_backward_dc_not_carried", "gru_dz_sign_flipped")
WARNS = "sigmoid_naive_exp"          # correct, but np.exp overflows (a RuntimeWarning)


def _defines(text):
    return {node.name for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


def _nb_role(cell):
    return cell.metadata.get("rnngrade", {}).get("role")


# ---------------------------------------------------------------------------
# Fast: the source notebook and fill_notebook

@pytest.fixture(scope="module")
def sources():
    return {lang: release.source_notebook(lang) for lang in source.LANGUAGES}


@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_source_cells_carry_nbgrader_metadata(sources, lang):
    """Is every function a solution cell, every question one test cell worth
    spec's points, every written answer a manually graded cell?"""
    nb = sources[lang]
    meta = {cell.metadata["nbgrader"]["grade_id"]: (cell, cell.metadata["nbgrader"])
            for cell in nb.cells if "nbgrader" in cell.metadata}
    for name in spec.FUNCTIONS:
        cell, m = meta[name]
        assert (m["solution"], m["grade"], m["locked"], m["schema_version"]) == (True, False, False, 3)
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    tests = {gid: m["points"] for gid, (cell, m) in meta.items() if m["grade"] and not m["solution"]}
    assert tests == {f"test_{qid}": points for qid, points in POINTS.items()}
    answers = [c for c in nb.cells if _nb_role(c) == "answer"]
    rubrics = source.rubrics(source.read(build.DEFAULT_SOURCE), lang)      # points: the rubric's
    assert answers and all(c.metadata["nbgrader"]["points"] == rubrics[c.metadata["rnngrade"]["name"]].points
                           and c.metadata["nbgrader"]["solution"] for c in answers)


def test_a_question_without_a_check_cell_is_refused(tmp_path):
    """nbgrader needs one test cell per question: a source without q3's
    check block stops the build with a message naming q3."""
    text = build.DEFAULT_SOURCE.read_text(encoding="utf-8")
    assert text.count("<!-- check q3 -->\n") == 1
    broken = tmp_path / "rnn_gradients.md"
    broken.write_text(text.replace("<!-- check q3 -->\n", ""), encoding="utf-8")
    with pytest.raises(source.SourceError, match="q3 has 0 check cells"):
        release.source_notebook("en", broken)


def test_hidden_tests_end_with_the_points_earned(sources):
    """Is the last line of each hidden region the question's score expression?"""
    for cell in sources["en"].cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            qid = cell.metadata["nbgrader"]["grade_id"].removeprefix("test_")
            hidden = cell.source.split("### BEGIN HIDDEN TESTS\n")[1].split("\n")
            assert hidden[-2] == f'incell.question_score("{qid}", globals())'
            assert hidden[-1] == "### END HIDDEN TESTS"


def test_solution_regions_are_the_answer_key(sources):
    """With its markers removed, does each function cell define the answer
    key's function (same behaviour on a call)?"""
    cell = next(c for c in sources["en"].cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "max_activation_derivative")
    ns = {}
    exec(compile(cell.source, "<cell>", "exec"), ns)           # the answer key: trusted
    assert ns["max_activation_derivative"]("sigmoid") == 0.25
    with pytest.raises(ValueError):
        ns["max_activation_derivative"]("softplus")


def test_fill_replaces_function_cells_only():
    """Does fill_notebook put a submission's definitions (and the module-level
    names they use) in the function cells, keep metadata, and leave the rest?"""
    student = build_notebooks("en")["student"]
    filled = fill_notebook(student, submissions.compose(FILES / "bugs" / "clip_per_tensor.py"))
    assert [c.id for c in filled.cells] == [c.id for c in student.cells]
    for before, after in zip(student.cells, filled.cells):
        assert after.metadata == before.metadata
        if _nb_role(before) == "function":
            assert "NotImplementedError()" not in after.source
            assert before.metadata["rnngrade"]["name"] in _defines(after.source)
        elif before.cell_type == "markdown" or not defined_functions(before.source):
            assert after.source == before.source
    clip = next(c.source for c in filled.cells if _nb_role(c) == "function"
                and "clip_grad_norm" in _defines(c.source))
    own = (FILES / "bugs" / "clip_per_tensor.py").read_text()
    assert ast.unparse(ast.parse(clip).body[-1]) in ast.unparse(ast.parse(own))
    assert "import numpy" not in "".join(c.source for c in filled.cells if _nb_role(c) == "function")
    assert "NotImplementedError()" in student.cells[3].source      # the input is not changed


def test_fill_leaves_uncovered_stubs():
    """A submission with one function fills that cell only."""
    student = build_notebooks("en")["student"]
    filled = fill_notebook(student, "def decay_rate(norms):\n    return 1.0\n")
    changed = [a.id for a, b in zip(filled.cells, student.cells) if a.source != b.source]
    assert changed == [next(c.id for c in student.cells
                            if c.metadata.get("rnngrade", {}).get("name") == "decay_rate")]


# ---------------------------------------------------------------------------
# Slow: the real nbgrader

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{lang: course folder} built by build_nbgrader, and the en course
    folder of a second build by `rnngrade build`'s function."""
    out = tmp_path_factory.mktemp("nbgrader")
    folders = {lang: out / lang / "nbgrader" for lang in source.LANGUAGES}
    for lang, folder in folders.items():
        release.build_nbgrader(lang, folder)
    again = tmp_path_factory.mktemp("again")
    build.build(again, langs=("en",), execute=False, releases=("nbgrader",))
    return folders, again / "en" / "nbgrader"


def _release_nb(folder):
    return nbformat.read(folder / "release" / release.ASSIGNMENT / release.NOTEBOOK_NAME, 4)


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_build_is_byte_reproducible_and_has_no_gradebook(built):
    """Does `rnngrade build` write the same bytes as build_nbgrader, the
    bundle released, and no gradebook or log in the course folder?"""
    folders, again = built
    first = _files(folders["en"])
    assert first == _files(again)
    assert not [p for p in first if p.suffix == ".db" or p.name.startswith(".nbgrader")]
    assert (Path("release") / release.ASSIGNMENT / "rnn_checks" / "__init__.py") in first


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_release_stubs_equal_the_student_notebook(built, lang):
    """Are the release's function cells exactly our student notebook's stubs?"""
    student = {c.id: c.source for c in build_notebooks(lang)["student"].cells}
    cells = [c for c in _release_nb(built[0][lang]).cells if _nb_role(c) == "function"]
    assert len(cells) == len(spec.FUNCTIONS)
    for cell in cells:
        assert cell.source == student[cell.id]


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_release_holds_no_reference_code_and_no_hidden_test(built, lang):
    folder = built[0][lang] / "release" / release.ASSIGNMENT
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
             if p.is_file() and p.suffix in (".py", ".ipynb", ".json")]
    nb = _release_nb(built[0][lang])
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert _copied_lines(code + texts) == {}
    source_nb = nbformat.read(built[0][lang] / "source" / release.ASSIGNMENT / release.NOTEBOOK_NAME, 4)
    seen = _copied_lines([c.source for c in source_nb.cells if c.cell_type == "code"])
    assert len(seen) > len(reference_lines()) // 2        # the detector sees the key where it is
    for text in texts:
        assert "HIDDEN TESTS" not in text and "incell" not in text and "BEGIN SOLUTION" not in text
    source_text = (built[0][lang] / "source" / release.ASSIGNMENT / release.NOTEBOOK_NAME).read_text()
    assert "incell" in source_text and "### BEGIN HIDDEN TESTS" in source_text


@pytest.mark.slow
def test_release_text_is_in_its_language(built):
    zh, en = _prose(_release_nb(built[0]["zh"])), _prose(_release_nb(built[0]["en"]))
    assert len(CJK.findall(zh)) > 2 * len(re.findall(r"[A-Za-z]", zh))
    assert CJK.findall(en) == [] and len(re.findall(r"\b(the|and|of|is)\b", en)) > 200


def _execute_copy(folder, nb, tmp_path):
    """Run a notebook in a copy of its assignment folder (the bundle beside it)."""
    work = tmp_path / "run"
    shutil.copytree(folder, work)
    return notebook.execute(nb, work)


def _errors(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_the_untouched_release_runs_without_an_error_cell(built, lang, tmp_path):
    folder = built[0][lang] / "release" / release.ASSIGNMENT
    ran = _execute_copy(folder, _release_nb(built[0][lang]), tmp_path)
    assert _errors(ran) == []
    checks = "".join(o.get("text", "") for c in ran.cells if _nb_role(c) == "check" for o in c.outputs)
    assert "not implemented" in checks.lower()


@pytest.mark.slow
def test_the_source_notebook_earns_every_point_in_a_kernel(built, tmp_path):
    """Run as nbgrader's validate would: the answer key's test cells output
    the question's points and nothing reaches stderr."""
    folder = built[0]["en"] / "source" / release.ASSIGNMENT
    ran = _execute_copy(folder, nbformat.read(folder / release.NOTEBOOK_NAME, 4), tmp_path)
    assert _errors(ran) == []
    for cell in ran.cells:
        if _nb_role(cell) == "check":
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert float(results[-1].data["text/plain"]) == POINTS[cell.metadata.rnngrade.question]
            assert not [o for o in cell.outputs if o.get("name") == "stderr"]


# ---------------------------------------------------------------------------
# Slow: nbgrader autograde against rnngrade on the same notebooks

def _students():
    """{student: submission source or None (the untouched release)}."""
    out = {"solution": submissions.reference_source(), "untouched": None,
           WARNS: submissions.compose(FILES / "correct" / f"{WARNS}.py")}
    out.update({bug: submissions.compose(FILES / "bugs" / f"{bug}.py") for bug in BUGS})
    return out


def _nbgrader_scores(course, students):
    """{student: {grade id: (score, max_score)}} from the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s: {g.name: (g.score, g.max_score) for g in
                    gb.find_submission_notebook(Path(release.NOTEBOOK_NAME).stem, release.ASSIGNMENT, s).grades}
                for s in students}


def _rnngrade_scores(paths):
    """{student: {question id: score}} from `rnngrade grade --json` (a subprocess)."""
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", *map(str, paths), "--json",
                           "--quiet", "--jobs", "1"], capture_output=True, text=True, timeout=1800,
                          cwd=ROOT)
    rows = json.loads(done.stdout)["submissions"]
    return {r["student"]: {q["id"]: q["score"] for q in r["questions"]} for r in rows}


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    """A course folder copied from the build, one submitted folder per
    student, the real `nbgrader generate_assignment` and `autograde`, and
    rnngrade on the same notebooks."""
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(built[0]["en"], course, dirs_exist_ok=True)
    released = course / "release" / release.ASSIGNMENT
    before = _files(released)
    nb = _release_nb(course)
    students, loose = _students(), tmp_path_factory.mktemp("loose")
    for student, code in students.items():
        dest = course / "submitted" / student / release.ASSIGNMENT
        shutil.copytree(released, dest)
        if code is not None:
            notebook.write(fill_notebook(nb, code), dest / release.NOTEBOOK_NAME)
        shutil.copy(dest / release.NOTEBOOK_NAME, loose / f"{student}.ipynb")
    release.run_nbgrader(["generate_assignment", release.ASSIGNMENT, "--force"], course)
    regenerated = _files(released)
    release.run_nbgrader(["autograde", release.ASSIGNMENT, "--force"], course, timeout=3600)
    return {"course": course, "nbgrader": _nbgrader_scores(course, students),
            "rnngrade": _rnngrade_scores(sorted(loose.glob("*.ipynb"))),
            "same_release": before == regenerated}


@pytest.mark.slow
def test_nbgrader_gives_the_solution_full_marks_and_the_untouched_release_zero(graded):
    scores = graded["nbgrader"]
    tests = {f"test_{qid}": (float(p), float(p)) for qid, p in POINTS.items()}
    assert {k: v for k, v in scores["solution"].items() if k.startswith("test_")} == tests
    assert {k: v for k, v in scores["untouched"].items() if k.startswith("test_")} == \
        {k: (0.0, most) for k, (_, most) in tests.items()}
    for student in scores:                           # written answers: hand-graded, none given
        answers = {k: v for k, v in scores[student].items() if k.startswith("answer_")}
        rubrics = source.rubrics(source.read(build.DEFAULT_SOURCE), "en")
        assert answers and all(v == (0.0, rubrics[k.removeprefix("answer_")].points)
                               for k, v in answers.items())
    assert graded["same_release"]                    # the instructor's generate_assignment: same bytes


@pytest.mark.slow
def test_nbgrader_scores_equal_rnngrade_per_question(graded):
    nb, rg = graded["nbgrader"], graded["rnngrade"]
    assert set(rg) == set(nb)
    for student in nb:
        for qid in spec.QUESTION_IDS:
            assert nb[student][f"test_{qid}"][0] == pytest.approx(rg[student][qid], abs=0.01), (student, qid)
    for bug in BUGS:                                 # the comparison is not between full marks only
        assert sum(rg[bug].values()) < spec.MAX_SCORE
    partial = [(s, gid) for s in nb for gid, (score, most) in nb[s].items() if 0 < score < most]
    assert partial                                   # nbgrader took a partial score from a cell


@pytest.mark.slow
def test_a_warning_from_correct_code_costs_nothing(graded):
    """A naive sigmoid overflows (RuntimeWarning) on saturated hidden cases:
    full marks, even with nbgrader's stderr filter (IgnorePattern) off."""
    tests = {k: v for k, v in graded["nbgrader"][WARNS].items() if k.startswith("test_")}
    assert all(score == most for score, most in tests.values())
    course = graded["course"]
    release.run_nbgrader(["autograde", release.ASSIGNMENT, "--force", "--student", WARNS,
                          "--IgnorePattern.enabled=False"], course, timeout=1800)
    again = _nbgrader_scores(course, [WARNS])[WARNS]
    assert {k: v for k, v in again.items() if k.startswith("test_")} == tests
    autograded = nbformat.read(course / "autograded" / WARNS / release.ASSIGNMENT / release.NOTEBOOK_NAME, 4)
    assert not [o for c in autograded.cells if _nb_role(c) == "check"
                for o in c.outputs if o.get("name") == "stderr"]


@pytest.mark.slow
def test_feedback_shows_scores_but_no_hidden_test(graded):
    course, student = graded["course"], BUGS[0]
    release.run_nbgrader(["generate_feedback", release.ASSIGNMENT, "--force", "--student", student], course)
    html = (course / "feedback" / student / release.ASSIGNMENT / "rnn_gradients.html").read_text()
    assert "Score" in html and "rnn_checks" in html            # the visible check is shown
    assert "incell" not in html and "HIDDEN TESTS" not in html
