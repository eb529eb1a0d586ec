"""The Gradescope image as Gradescope builds it: the zip's real setup.sh.

Two parts:

- (fast) every module the built student and solution notebooks import
  (en and zh) is the standard library, ours, or pinned in the zip's
  requirements.txt, so that no student on Gradescope gets "cell N raised
  ModuleNotFoundError" (matplotlib was once missing);
- (slow) the zip unpacked under a temporary AUTOGRADER_ROOT, its setup.sh
  run for real (a venv of its own, pip installs requirements.txt from the
  package index, install_lib.sh), then run_autograder WITHOUT
  RNNGRADE_PYTHON, so that the image's own venv grades: the answer key
  filled into the release notebook gets full marks with no cell raising, a
  buggy notebook loses points on its expected question. Skipped only when
  the package index cannot be reached.

Submissions run only through run_autograder, which grades in the sandbox.
"""

import ast
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import public
from autograder.build import LANGUAGES, build_notebooks
from autograder.build.fill import fill_notebook
from autograder.build.gradescope_zip import build_gradescope, requirements
from autograder.spec import QUESTIONS
from autograder.submissions import compose, read_header
from test_gradescope_zip import traversable_tmp

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from bench.platform_bench import image_env  # noqa: E402  (the environment platform_bench runs the image with)

FILES = Path(__file__).parent / "files"
BUG = FILES / "bugs" / "dW_hh_transposed.py"
OURS = {"autograder", "solutions", public.PACKAGE}
INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
SETUP_TIMEOUT = 1800          # seconds: pip downloads and installs on a busy machine


# ------------------------------------------------------------------ what the notebooks import

def _code(cell_source):
    """A code cell's text without IPython magics and shell lines (not Python)."""
    return "\n".join(line for line in cell_source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def imported_modules(nb):
    """The top-level names of every module the notebook's code cells import."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(_code(cell.source))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def _normal(name):
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements_text):
    """The normalised names of the distributions requirements.txt pins (name==version)."""
    return {_normal(line.split("==")[0]) for line in requirements_text.splitlines()
            if "==" in line and not line.lstrip().startswith("#")}


def unprovided(modules, requirements_text):
    """The modules neither stdlib, ours, nor from a distribution requirements.txt pins."""
    dists = importlib.metadata.packages_distributions()
    pins = pinned(requirements_text)
    return sorted(m for m in modules
                  if m not in sys.stdlib_module_names and m not in OURS
                  and not any(_normal(d) in pins for d in dists.get(m, ())))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_notebook_import_is_stdlib_ours_or_pinned(lang):
    books = build_notebooks(lang)
    modules = set().union(*(imported_modules(nb) for nb in books.values()))
    assert "numpy" in modules and "matplotlib" in modules     # the parse found the imports
    assert unprovided(modules, requirements()) == [], \
        f"the {lang} notebooks import these, and requirements.txt does not pin them"


def test_the_import_check_catches_a_module_left_out():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "%matplotlib inline\nimport os, numpy as np\nfrom matplotlib import pyplot\n"
        "from rnn_checks import check\nfrom . import local\n")])
    assert imported_modules(nb) == {"os", "numpy", "matplotlib", "rnn_checks"}
    assert unprovided(imported_modules(nb), "numpy==2.0\n") == ["matplotlib"]
    assert unprovided(imported_modules(nb), "numpy==2.0\nMatplotlib==3.8\n") == []


# ------------------------------------------------------------------ the real setup.sh

def _index_reachable():
    """None when the package index answers, else the reason it does not."""
    try:
        with urllib.request.urlopen(f"{INDEX}/pip/", timeout=10) as response:
            response.read(1)
        return None
    except (urllib.error.URLError, OSError) as exc:
        return f"the package index {INDEX} is unreachable ({exc}): setup.sh cannot pip install"


def _cache(root):
    """The image's own cache folder (image_env's XDG_CACHE_HOME)."""
    return Path(image_env(root)["XDG_CACHE_HOME"])


def _bytecode(lib):
    """{pyc path: mtime_ns} of the grader's package under lib."""
    return {str(p): p.stat().st_mtime_ns for p in (lib / "autograder").rglob("*.pyc")}


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """ROOT after the zip's own setup.sh ran under AUTOGRADER_ROOT=ROOT."""
    reason = _index_reachable()
    if reason:
        pytest.skip(reason)
    zip_path = build_gradescope(tmp_path_factory.mktemp("gs-image-build"))
    base = traversable_tmp()
    try:
        yield _set_up(zip_path, base / "autograder")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _set_up(zip_path, root):
    """Unpack the zip into root/source and run its setup.sh there; returns root."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], cwd=root.parent,
                          env=image_env(root), capture_output=True, text=True,
                          timeout=SETUP_TIMEOUT)
    assert done.returncode == 0, f"setup.sh failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return root


def grade(root, notebook):
    """Upload one notebook, run the image's run_autograder (its own venv), return results.json."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    (root / "submission" / "hw.ipynb").write_bytes(nbformat.writes(notebook).encode("utf-8"))
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")],
                          env=image_env(root), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _filled(source):
    """The English release notebook with a submission's functions filled in."""
    return fill_notebook(build_notebooks("en")["student"], source)


def _scores(results):
    return {t["name"].split()[0]: t["score"] for t in results["tests"] if "score" in t}


MAX = {q.id: sum(q.points.values()) for q in QUESTIONS}


@pytest.mark.slow
def test_setup_sh_builds_a_venv_with_the_pinned_runtime(image):
    venv_python = image / "venv" / "bin" / "python"
    assert venv_python.exists() and (image / "source" / "lib" / "autograder").is_dir()
    wanted = (image / "source" / "requirements.txt").read_text(encoding="utf-8").split()
    out = subprocess.run([str(venv_python), "-m", "pip", "freeze", "--all"], env=image_env(),
                         capture_output=True, text=True, timeout=300, check=True).stdout
    have = {_normal(line.split("==")[0]): line.split("==")[1]
            for line in out.splitlines() if "==" in line}
    assert {_normal(p.split("==")[0]): p.split("==")[1] for p in wanted}.items() <= have.items()
    assert stat.S_IMODE((image / "source").stat().st_mode) & 0o077 == 0     # locked to root
    assert list((_cache(image) / "matplotlib").glob("fontlist-v*.json")), "no font list made"


@pytest.mark.slow
def test_image_grades_the_answer_key_full_marks_with_no_cell_raising(image):
    lib = image / "source" / "lib"
    compiled = _bytecode(lib)
    for py in (lib / "autograder").rglob("*.py"):
        assert importlib.util.cache_from_source(str(py)) in compiled, f"no bytecode for {py}"
    results = grade(image, _filled(compose("")))
    assert results["score"] == 100.0, json.dumps(results, indent=1)[:3000]
    assert _scores(results) == MAX
    text = json.dumps(results, ensure_ascii=False)
    assert "raised" not in text and "ModuleNotFoundError" not in text, text[:3000]
    assert _bytecode(lib) == compiled          # grading used the image's bytecode, wrote none


@pytest.mark.slow
def test_image_grades_a_buggy_notebook_down_on_its_question(image):
    header = read_header(BUG)
    results = grade(image, _filled(compose(BUG)))
    got = _scores(results)
    assert results["score"] < 100
    for qid in header.expect:
        assert got[qid] < MAX[qid], f"{BUG.name} kept full marks on {qid}"
    untouched = set(MAX) - set(header.expect) - set(header.also)
    assert {q: got[q] for q in untouched} == {q: MAX[q] for q in untouched}
    assert "ModuleNotFoundError" not in json.dumps(results, ensure_ascii=False)
