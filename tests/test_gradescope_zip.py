"""The hardened Gradescope autograder zip and the PrairieLearn entry point,
end to end, in temporary folders laid out like the platforms' containers.

The zip is unpacked into ROOT/source as Gradescope does, its own
install_lib.sh installs the wheel and locks source/ to root (setup.sh's
last step; the test's venv stands in for /autograder/venv here, and
tests/test_gradescope_image.py runs the whole setup.sh, pip included), and
run_autograder grades ROOT/submission. Every submission here runs only
through run_autograder, which grades in the sandbox.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.build import build_notebooks
from autograder.build.fill import fill_notebook
from autograder.build.gradescope_zip import build_gradescope
from autograder.spec import QUESTIONS
from autograder.submissions import compose, to_notebook
from hostile_fixtures import HOSTILE_SOURCES, compose as compose_hostile

pytestmark = pytest.mark.slow
FILES = Path(__file__).parent / "files"
RNNGRADE = [sys.executable, "-m", "autograder.cli"]


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    return build_gradescope(tmp_path_factory.mktemp("gs-build"))


def traversable_tmp():
    """A new temporary folder every user may traverse (this machine's /tmp is
    0700), so that only the zip's own permissions keep the child's uid out
    of source/ (the control in the mode-none test proves it), and the child
    can import from a venv inside it."""
    bases = [b for b in ("/var/tmp", "/dev/shm", tempfile.gettempdir())
             if os.path.isdir(b) and os.stat(b).st_mode & stat.S_IXOTH]
    if not bases:
        pytest.skip("no temporary folder other users may traverse")
    d = Path(tempfile.mkdtemp(prefix="rnngrade-gs-", dir=bases[0]))
    d.chmod(0o755)
    return d


@pytest.fixture
def world_tmp():
    """traversable_tmp(), removed after the test."""
    d = traversable_tmp()
    yield d
    shutil.rmtree(d, ignore_errors=True)


def unpack(zip_path, root, isolation=None):
    """ROOT/source from the zip, installed and locked as setup.sh does."""
    source = root / "source"
    source.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(source)
    if isolation:
        config = json.loads((source / "assignment.json").read_text())
        config["limits"]["isolation"] = isolation
        (source / "assignment.json").write_text(json.dumps(config))
    subprocess.run(["bash", str(source / "install_lib.sh"), str(source)], check=True,
                   env=dict(os.environ, PYTHON=sys.executable), timeout=300)
    return root


def run_autograder(root, files):
    """Put files ({name: bytes}) in ROOT/submission, run run_autograder, return results.json."""
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    sub.mkdir()
    for name, data in files.items():
        (sub / name).write_bytes(data)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), RNNGRADE_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def notebook_bytes(source):
    return nbformat.writes(to_notebook(source)).encode("utf-8")


def rnngrade_scores(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(RNNGRADE + ["grade", "--json", "--quiet", str(path)], capture_output=True,
                         text=True, timeout=600, check=True).stdout
    row = json.loads(out)["submissions"][0]
    return row["score"], {q["id"]: q["score"] for q in row["questions"]}


def scores(results):
    return {t["name"].split()[0]: t["score"] for t in results["tests"] if "score" in t}


def test_zip_layout_and_same_bytes_twice(zip_path, tmp_path):
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert {"setup.sh", "run_autograder", "install_lib.sh", "requirements.txt", "assignment.json",
            "gradescope.json"} <= set(names)
    assert sum(n.endswith(".whl") for n in names) == 1
    assert modes["run_autograder"] == 0o755 and modes["setup.sh"] == 0o755
    setup = zipfile.ZipFile(zip_path).read("setup.sh").decode()
    assert "git clone" not in setup and "python3.11" in setup
    again = build_gradescope(tmp_path / "again")
    assert again.read_bytes() == zip_path.read_bytes()


def test_answer_key_scores_full_marks_and_equals_rnngrade(zip_path, world_tmp, tmp_path):
    root = unpack(zip_path, world_tmp / "autograder")
    data = notebook_bytes(compose(""))
    results = run_autograder(root, {"My Homework (final).ipynb": data})
    assert results["score"] == 100.0
    assert [t["max_score"] for t in results["tests"] if "max_score" in t] == \
        [sum(q.points.values()) for q in QUESTIONS]
    bug = notebook_bytes(compose(FILES / "bugs" / "dW_hh_transposed.py"))
    results = run_autograder(root, {"hw.ipynb": bug})
    total, per_question = rnngrade_scores(tmp_path, "hw.ipynb", bug)
    assert results["score"] == total < 100
    assert scores(results) == per_question
    details = [t for t in results["tests"] if t["name"].endswith("details")]
    assert details and all(t["visibility"] == "after_published" for t in details)


@pytest.mark.parametrize("files, words", [
    ({}, "no notebook and no Python file"),
    ({"a.ipynb": b"{}", "b.ipynb": b"{}"}, "2 notebooks (a.ipynb, b.ipynb)"),
    ({"one.py": b"x = 1\n", "two.py": b"y = 2\n"}, "2 Python files and no notebook"),
    ({"notes.txt": b"hello"}, "no notebook and no Python file"),
])
def test_nothing_or_several_files_give_a_clear_zero(zip_path, world_tmp, files, words):
    root = unpack(zip_path, world_tmp / "autograder")
    results = run_autograder(root, files)
    assert results["score"] == 0
    assert words in results["output"]
    assert "upload exactly one notebook" in results["output"]


def test_a_notebook_beside_py_files_is_graded_with_a_note(zip_path, world_tmp):
    root = unpack(zip_path, world_tmp / "autograder")
    results = run_autograder(root, {"work.ipynb": notebook_bytes(compose("")),
                                    "scratch.py": b"print('hi')\n"})
    assert results["score"] == 100.0
    assert "ignored: scratch.py" in results["output"]


def _filled_release(source, extra_cell=None):
    """The student notebook of the release filled with a submission's functions."""
    nb = fill_notebook(build_notebooks("en")["student"], source)
    if extra_cell is not None:
        nb.cells.insert(1, nbformat.v4.new_code_cell(extra_cell))
    return nbformat.writes(nb).encode("utf-8")


def test_patched_numpy_scores_no_more_than_its_honest_twin(zip_path, world_tmp):
    root = unpack(zip_path, world_tmp / "autograder")
    honest_source = compose(FILES / "bugs" / "dW_hh_transposed.py")
    patch = (HOSTILE_SOURCES / "patch_numpy_allclose.py").read_text(encoding="utf-8")
    patch = patch.split("# ---- tests/files/zeros.py goes here")[0]
    honest = run_autograder(root, {"hw.ipynb": _filled_release(honest_source)})
    patched = run_autograder(root, {"hw.ipynb": _filled_release(honest_source, patch)})
    assert 0 < patched["score"] <= honest["score"] < 100


def _answer_key_thief(root):
    data = compose_hostile(HOSTILE_SOURCES / "gradescope_reads_answer_key.py")
    return data.replace(b"__AUTOGRADER_ROOT__", str(root).encode())


def test_mode_none_child_cannot_read_the_answer_key(zip_path, world_tmp):
    root = unpack(zip_path, world_tmp / "autograder", isolation="none")
    thief = _answer_key_thief(root)
    zeros = (FILES / "zeros.py").read_bytes()
    locked = run_autograder(root, {"thief.py": thief})
    twin = run_autograder(root, {"zeros.py": zeros})
    assert scores(locked)["q0"] == scores(twin)["q0"] == 0
    assert locked["score"] <= twin["score"]
    # the control: with source/ opened up, the same trick reads the key and takes q0
    for path in [root / "source", *(root / "source").rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    opened = run_autograder(root, {"thief.py": thief})
    assert scores(opened)["q0"] == 5.0


def test_prairielearn_grades_student_folder(world_tmp, tmp_path):
    root = world_tmp / "grade"
    (root / "student").mkdir(parents=True)
    bug = notebook_bytes(compose(FILES / "bugs" / "dW_hh_transposed.py"))
    (root / "student" / "submission.ipynb").write_bytes(bug)
    env = dict(os.environ, RNNGRADE_GRADE_ROOT=str(root))
    subprocess.run([sys.executable, "-m", "autograder.platforms.prairielearn"], env=env, check=True,
                   capture_output=True, timeout=600)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    total, per_question = rnngrade_scores(tmp_path, "submission.ipynb", bug)
    assert results["gradable"] is True
    assert results["score"] == pytest.approx(total / 100)
    assert {t["name"].split()[0]: t["points"] for t in results["tests"]} == per_question
    assert all(set(t) == {"name", "points", "max_points", "message", "output"} for t in results["tests"])


def test_prairielearn_empty_upload_is_not_gradable(world_tmp):
    root = world_tmp / "grade"
    (root / "student").mkdir(parents=True)
    env = dict(os.environ, RNNGRADE_GRADE_ROOT=str(root))
    subprocess.run([sys.executable, "-m", "autograder.platforms.prairielearn"], env=env, check=True,
                   capture_output=True, timeout=600)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["gradable"] is False and "score" not in results     # the attempt does not count
    assert "no notebook and no Python file" in results["format_errors"][0]
