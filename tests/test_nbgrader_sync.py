"""`rnngrade nbgrader` (autograder/nbgrader_sync/): the sandbox's scores in
nbgrader's gradebook, SQLite and PostgreSQL, and our feedback through
nbgrader's generate_feedback.

A course folder is built once by build_nbgrader("en"); submissions are the
release filled with trusted fixtures (the answer key, tests/files/bugs).
The hostile one adds the trick of tests/files/hostile/patch_numpy_allclose.py
as a cell of its own on top of a buggy submission: it runs only inside
nbgrader's own autograde (its kernel, a subprocess) on a temporary copy of
the course, and in our sandbox (`rnngrade` as a subprocess), never in this
process. Tests marked slow run the real tools (nbgrader's command line with
the venv's bin on PATH, PostgreSQL's server binaries).
"""

import csv
import html
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder import spec, submissions
from autograder.build import nbgrader_release as release
from autograder.build import notebook
from autograder.build.fill import fill_notebook
from hostile_fixtures import HOSTILE_SOURCES, MARKER

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
A, NB = release.ASSIGNMENT, Path(release.NOTEBOOK_NAME).stem
TWIN = "clip_mutates_gradients"      # honest, buggy: changes the caller's arrays in place
PATCHED = "patched_numpy"            # TWIN plus a cell patching numpy's comparisons
FEEDBACK_BUG = "dW_hh_transposed"
STUDENTS = ("solution", FEEDBACK_BUG, TWIN, PATCHED)
TIMEOUT = 3600                       # seconds: real tools on a busy machine


def _sources():
    """{student: (functions source, extra cell or None)}: trusted fixtures, and the hostile patch as text."""
    patch = (HOSTILE_SOURCES / "patch_numpy_allclose.py").read_text(encoding="utf-8").split(MARKER)[0]
    twin = submissions.compose(FILES / "bugs" / f"{TWIN}.py")
    return {"solution": (submissions.reference_source(), None),
            FEEDBACK_BUG: (submissions.compose(FILES / "bugs" / f"{FEEDBACK_BUG}.py"), None),
            TWIN: (twin, None), PATCHED: (twin, patch)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The course folder of rnngrade build (en), and the filled-in notebooks by student."""
    course = tmp_path_factory.mktemp("built") / "nbgrader"
    release.build_nbgrader("en", course)
    released = nbformat.read(course / "release" / A / release.NOTEBOOK_NAME, 4)
    books = {}
    for student, (code, extra) in _sources().items():
        nb = fill_notebook(released, code)
        if extra is not None:                         # written as text; run only by nbgrader's kernel or the sandbox
            nb.cells.insert(1, nbformat.v4.new_code_cell(extra))
        books[student] = nb
    return course, books


def make_course(built, dest, students=STUDENTS, db_url=None):
    """A copy of the built course with submitted/<student>/A/, and the
    assignment in the gradebook (the real generate_assignment)."""
    course, books = built
    shutil.copytree(course, dest)
    for student in students:
        folder = dest / "submitted" / student / A
        shutil.copytree(dest / "release" / A, folder)
        notebook.write(books[student], folder / release.NOTEBOOK_NAME)
    release.run_nbgrader(["generate_assignment", A, "--force"], dest, db_url=db_url)
    return dest


def rnngrade(*args):
    """The rnngrade command (a subprocess); its CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=ROOT, env=release.nbgrader_env())


@pytest.fixture(scope="module")
def expected(built, tmp_path_factory):
    """{student: (score, {qid: score}, {qid: feedback lines})} from `rnngrade grade --json`."""
    loose = tmp_path_factory.mktemp("loose")
    for student, nb in built[1].items():
        notebook.write(nb, loose / f"{student}.ipynb")
    done = rnngrade("grade", str(loose), "--json", "--quiet", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["submissions"]
    return {r["student"]: (r["score"], {q["id"]: q["score"] for q in r["questions"]},
                           {q["id"]: q["feedback"] for q in r["questions"]}) for r in rows}


def exported(course, db_url=None):
    """{student: row} of the real `nbgrader export` (grades.csv)."""
    release.run_nbgrader(["export"], course, db_url=db_url)
    with open(course / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def per_question(db_url, students):
    """{student: {grade id: score}} read from the gradebook with nbgrader's Gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gb:
        return {s: {g.name: g.score for g in gb.find_submission_notebook(NB, A, s).grades} for s in students}


def check_gradebook(course, db_url, expected, students):
    """The exported totals and the per-question grades equal rnngrade grade's."""
    rows = exported(course, None if db_url.startswith("sqlite") else db_url)
    assert set(rows) == set(students)
    grades = per_question(db_url, students)
    for student in students:
        total, questions, _ = expected[student]
        assert float(rows[student]["score"]) == pytest.approx(total, abs=1e-6), student
        for qid in spec.QUESTION_IDS:
            assert grades[student][f"test_{qid}"] == pytest.approx(questions[qid], abs=1e-9), (student, qid)
        assert all(v == 0 for k, v in grades[student].items() if k.startswith("answer_"))   # left to graders
    assert float(rows[PATCHED]["score"]) <= float(rows[TWIN]["score"]) < spec.MAX_SCORE
    return rows


# ---------------------------------------------------------------------------
# SQLite

@pytest.fixture(scope="module")
def nbgrader_own(built, tmp_path_factory):
    """nbgrader's own autograde (the hostile cell runs in its kernel) on a
    temporary course with the honest twin and the patched one: {student: total}."""
    course = make_course(built, tmp_path_factory.mktemp("own") / "course", (TWIN, PATCHED))
    release.run_nbgrader(["autograde", A, "--force"], course, timeout=TIMEOUT)
    return {s: float(r["score"]) for s, r in exported(course).items()}


@pytest.fixture(scope="module")
def sqlite_course(built, tmp_path_factory):
    course = make_course(built, tmp_path_factory.mktemp("sqlite") / "course")
    done = rnngrade("nbgrader", A, "--course", str(course), "--jobs", "2", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    return course, done


@pytest.mark.slow
def test_nbgrader_own_autograde_is_fooled_by_the_patched_numpy(nbgrader_own):
    """The control: in nbgrader's kernel the patch earns MORE than its honest twin."""
    assert nbgrader_own[PATCHED] > nbgrader_own[TWIN]


@pytest.mark.slow
def test_sqlite_gradebook_holds_the_sandbox_scores(sqlite_course, expected, nbgrader_own):
    course, done = sqlite_course
    rows = check_gradebook(course, f"sqlite:///{course / 'gradebook.db'}", expected, STUDENTS)
    assert float(rows[PATCHED]["score"]) < nbgrader_own[PATCHED]
    assert float(rows["solution"]["score"]) == spec.MAX_SCORE
    assert "warning" not in done.stderr and f"recorded the sandbox's scores of {len(STUDENTS)}" in done.stdout


@pytest.mark.slow
def test_feedback_shows_our_lines_and_no_hidden_test(sqlite_course, expected):
    """The real generate_feedback: our feedback for the buggy function, no
    hidden test code, no traceback."""
    course, _ = sqlite_course
    release.run_nbgrader(["generate_feedback", A, "--force", "--student", FEEDBACK_BUG], course)
    page = (course / "feedback" / FEEDBACK_BUG / A / f"{NB}.html").read_text(encoding="utf-8")
    text = html.unescape(page)
    wrong = [qid for qid, score in expected[FEEDBACK_BUG][1].items()
             if score < sum(spec.QUESTIONS[spec.QUESTION_IDS.index(qid)].points.values())]
    assert wrong
    for qid in wrong:
        for line in expected[FEEDBACK_BUG][2][qid]:
            assert line.strip() in text, line
    assert "graded in a sandbox" in text
    assert "incell" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "Traceback (most recent" not in text and "output_error" not in page


@pytest.mark.slow
def test_every_autograded_test_cell_holds_our_feedback_and_score(sqlite_course):
    """The autograded notebook: every test cell holds our text and score."""
    course, _ = sqlite_course
    nb = nbformat.read(course / "autograded" / TWIN / A / release.NOTEBOOK_NAME, 4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")]
    assert len(tests) == len(spec.QUESTION_IDS)
    for cell in tests:
        assert [o.output_type for o in cell.outputs] == ["stream", "execute_result"]
        assert cell.outputs[0].text.startswith("rnngrade (graded in a sandbox")


@pytest.mark.slow
def test_execute_runs_nbgrader_kernel_but_keeps_the_sandbox_scores(built, expected, tmp_path):
    """--execute: nbgrader's Execute runs the notebooks (the hostile cell in
    its kernel, a subprocess), yet the recorded scores are the sandbox's."""
    course = make_course(built, tmp_path / "course", (TWIN, PATCHED))
    done = rnngrade("nbgrader", A, "--course", str(course), "--execute", "--jobs", "2", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = exported(course)
    assert float(rows[PATCHED]["score"]) == pytest.approx(expected[PATCHED][0])
    assert float(rows[PATCHED]["score"]) <= float(rows[TWIN]["score"])
    ran = nbformat.read(course / "autograded" / PATCHED / A / release.NOTEBOOK_NAME, 4)
    assert any(c.cell_type == "code" and c.execution_count for c in ran.cells)     # the kernel did run


@pytest.mark.slow
def test_a_rerun_keeps_a_graders_manual_score(built, expected, tmp_path):
    """A grader's manual score on a test cell survives a rerun (flagged for
    review); the other cells keep the sandbox's scores."""
    from nbgrader.api import Gradebook
    course = make_course(built, tmp_path / "course", (FEEDBACK_BUG,))
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    for _ in range(2):
        done = rnngrade("nbgrader", A, "--course", str(course), "--jobs", "1", "--quiet")
        assert done.returncode == 0, done.stdout + done.stderr
        with Gradebook(db_url) as gb:
            grade = gb.find_grade("test_q0", NB, A, FEEDBACK_BUG)
            if grade.manual_score is None:
                grade.manual_score = 1.0
                gb.db.commit()
    with Gradebook(db_url) as gb:
        grades = {g.name: g for g in gb.find_submission_notebook(NB, A, FEEDBACK_BUG).grades}
        assert (grades["test_q0"].manual_score, grades["test_q0"].needs_manual_grade) == (1.0, True)
        assert grades["test_q0"].auto_score == expected[FEEDBACK_BUG][1]["q0"]
        assert {q: grades[f"test_{q}"].score for q in spec.QUESTION_IDS[1:]} == \
            {q: expected[FEEDBACK_BUG][1][q] for q in spec.QUESTION_IDS[1:]}

@pytest.mark.slow
def test_a_linked_folder_is_not_followed_and_an_empty_one_is_named(built, tmp_path):
    """A student folder that is a symbolic link is neither graded nor given
    to nbgrader; one without the notebook is named too (nbgrader's autograde
    refuses it); the command exits 1 and the others are recorded."""
    course = make_course(built, tmp_path / "course", ("solution",))
    outside = tmp_path / "outside"
    shutil.copytree(course / "submitted" / "solution", outside)
    (course / "submitted" / "mallory").symlink_to(outside, target_is_directory=True)
    (course / "submitted" / "ghost" / A).mkdir(parents=True)
    done = rnngrade("nbgrader", A, "--course", str(course), "--jobs", "1", "--quiet")
    assert done.returncode == 1
    assert "mallory: not recorded in the gradebook" in done.stderr and "not followed" in done.stderr
    assert f"ghost: not recorded in the gradebook: the folder holds none of the assignment's notebooks " \
           f"({release.NOTEBOOK_NAME})" in done.stderr
    rows = exported(course)
    assert set(rows) == {"solution"} and float(rows["solution"]["score"]) == spec.MAX_SCORE


@pytest.mark.slow
def test_a_missing_assignment_is_a_usage_error(built, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(built[0], course)
    (course / "submitted").mkdir()
    done = rnngrade("nbgrader", A, "--course", str(course), "--quiet")
    assert done.returncode == 2 and "nbgrader generate_assignment" in done.stderr


# ---------------------------------------------------------------------------
# PostgreSQL (Debian's server, started here on 127.0.0.1)

def _pg_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _server_home(user):
    """A new folder for the server's data, in a temporary folder the server's
    user can reach (/tmp may be closed to other users), or None."""
    for base in (tempfile.gettempdir(), "/var/tmp", "/dev/shm"):
        if user is None or (os.path.isdir(base) and os.stat(base).st_mode & 0o001):
            home = Path(tempfile.mkdtemp(prefix="rnngrade-pg-", dir=base))
            if user:
                shutil.chown(home, user)
            return home
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server on 127.0.0.1 in a temporary data folder (trust auth
    on localhost), run as the `postgres` user when we are root; its URL."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL's server binaries are absent (.ci/run installs Debian's postgresql)")
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server")
        user = "postgres"
    home = _server_home(user)
    if home is None:
        pytest.skip("no temporary folder the `postgres` user can reach (tried $TMPDIR, /var/tmp, /dev/shm)")
    data, port = home / "data", _free_port()

    def run(*cmd):
        done = subprocess.run([str(bindir / cmd[0]), *cmd[1:]], user=user, capture_output=True, text=True,
                              timeout=600, cwd=home)
        assert done.returncode == 0, f"{cmd[0]} failed: {done.stdout}{done.stderr}"

    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        run("pg_ctl", "-D", str(data), "-l", str(home / "log"), "-w", "-t", "300", "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {home}", "start")
        run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gradebook")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/gradebook"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           user=user, capture_output=True, timeout=600, cwd=home)
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_postgresql_gradebook_holds_the_sandbox_scores(built, postgres, expected, tmp_path):
    students = (FEEDBACK_BUG, TWIN, PATCHED)
    course = make_course(built, tmp_path / "course", students, db_url=postgres)
    done = rnngrade("nbgrader", A, "--course", str(course), "--db", postgres, "--jobs", "2", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (course / "gradebook.db").exists()          # the scores went to PostgreSQL
    check_gradebook(course, postgres, expected, students)


# ---------------------------------------------------------------------------
# Fast: the preprocessor and the config check, without nbgrader's apps

def _test_cell(grade_id, points):
    cell = nbformat.v4.new_code_cell("assert True")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": points,
                                 "grade_id": grade_id, "schema_version": 3, "task": False}
    return cell


def test_sandbox_scores_fills_known_cells_and_zeroes_the_rest():
    """A test cell the sandbox has no score for gets 0, never nbgrader's
    full marks for a cell without an error; a known one gets our score."""
    from nbgrader.utils import determine_grade
    from autograder.grading import error_grade
    from autograder.nbgrader_sync.cells import SandboxScores, cell_entries

    result = error_grade("alice", "the notebook is not valid JSON").to_dict()
    result["questions"][1]["score"] = 7.5
    pre = SandboxScores(entries={"alice/hw": cell_entries(result)})
    nb = nbformat.v4.new_notebook(cells=[_test_cell("test_q1", 15), _test_cell("test_extra", 3)])
    for student, expected_scores in (("alice", (7.5, 0.0)), ("bob", (0.0, 0.0))):
        out, _ = pre.preprocess(nbformat.from_dict(nb), {"nbgrader": {"student": student, "notebook": "hw"}})
        assert tuple(determine_grade(c)[0] for c in out.cells) == expected_scores
    out, _ = pre.preprocess(nbformat.from_dict(nb), {"nbgrader": {"student": "alice", "notebook": "hw"}})
    assert "q1 7.5 / 15" in out.cells[0].outputs[0].text and "not valid JSON" in out.cells[0].outputs[0].text
    assert "no question of rnngrade is called test_extra" in out.cells[1].outputs[0].text


def test_feedback_check_wants_clear_hidden_tests(tmp_path):
    from autograder.nbgrader_sync.sync import course_config, feedback_check
    (tmp_path / "nbgrader_config.py").write_text(release.config_text("en"), encoding="utf-8")
    assert feedback_check(course_config(tmp_path, None, False, {})) == ""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    assert "ClearHiddenTests" in feedback_check(course_config(tmp_path, None, False, {}))


def test_patched_numpy_cannot_hide_an_in_place_change_in_the_sandbox(tmp_path):
    """The child reports which arguments a call changed; numpy's comparison
    it uses is taken before the submission loads, so the patch (which fooled
    the in-place check before) hides nothing. Run only in the sandbox."""
    import numpy as np
    from autograder.sandbox import SandboxedStudent

    code, patch = _sources()[PATCHED]
    path = tmp_path / "patched.py"
    path.write_text(patch + "\n\n" + code, encoding="utf-8")
    grads = {"W": np.ones((2, 2)), "b": np.ones(2)}
    with SandboxedStudent(path) as student:
        assert student.load.ok
        outcome = student.call("clip_grad_norm", grads, 0.5)
    assert outcome.error is None and outcome.mutated


# ---------------------------------------------------------------------------
# Our late policy in nbgrader's gradebook

@pytest.mark.slow
def test_the_late_policy_reaches_nbgraders_export_as_rnngrade_applies_it(built, tmp_path):
    """A due date in assignment.json: `rnngrade nbgrader` makes nbgrader's own
    late-penalty step use our policy (late_plugin.py), so `nbgrader export`
    shows the penalty `rnngrade grade` computes from the same timestamp.txt."""
    config = json.loads((ROOT / "assignments" / "rnn_gradients" / "assignment.json").read_text())
    config.update(due="2026-12-01T17:00:00+00:00", extensions={"solution": 48},
                  late_policy={"per_day": 0.1, "max": 0.3, "grace_minutes": 15})
    config_file = tmp_path / "assignment.json"
    config_file.write_text(json.dumps(config))
    course = make_course(built, tmp_path / "course", ("solution", FEEDBACK_BUG))
    for student in ("solution", FEEDBACK_BUG):                # 1 day 1 hour after the due date
        (course / "submitted" / student / A / "timestamp.txt").write_text("2026-12-02 18:00:00.000000 UTC")
    done = rnngrade("nbgrader", A, "--course", str(course), "--config", str(config_file), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    graded = rnngrade("grade", str(course / "submitted"), "--config", str(config_file), "--json", "--quiet")
    assert graded.returncode == 0, graded.stderr
    ours = {r["student"]: r for r in json.loads(graded.stdout)["submissions"]}
    rows = exported(course)
    bug = ours[FEEDBACK_BUG]
    assert bug["late"]["days_late"] == 2 and bug["late_penalty"] == pytest.approx(0.2 * bug["raw_score"], abs=0.01)
    assert float(rows[FEEDBACK_BUG]["late_submission_penalty"]) == pytest.approx(bug["late_penalty"], abs=1e-4)
    assert float(rows[FEEDBACK_BUG]["score"]) == pytest.approx(bug["score"], abs=1e-4)
    # the 48-hour extension keeps the answer key on time in both
    assert ours["solution"]["late_penalty"] == 0
    assert float(rows["solution"]["late_submission_penalty"]) == 0
    assert float(rows["solution"]["score"]) == spec.MAX_SCORE
