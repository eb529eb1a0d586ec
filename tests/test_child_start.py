"""What the grading process does while a submission's child starts.

- the notebook's schema check and the checks' per-process work
  (grading.prepare, checks/prime.py) run while the child starts;
- the platforms' entry points start the child before the grading modules
  load (platforms/single.start_child);
- each child gets the grading user's matplotlib font list
  (sandbox/mplfonts.py) instead of scanning the machine's fonts.

Only trusted code runs here (small submissions written by the tests and
the answer key); hostile fixtures are in test_sandbox_hostile.py.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from autograder.checks import oracle, prime as prime_module
from autograder.checks import cost, layers, q3_gradient_flow, saturated
from autograder.grading import grade_source
from autograder.sandbox import SandboxedStudent, mplfonts
from autograder.submissions import compose
from test_sandbox_hostile import sandbox_processes

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path, text, name="sub.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    os.chmod(tmp_path, 0o755)
    os.chmod(path, 0o644)
    return path


# ------------------------------------------------------------------ meanwhile

def test_meanwhile_runs_while_the_child_starts(tmp_path):
    seen = []

    def meanwhile():
        seen.append(len(sandbox_processes()))

    path = write(tmp_path, "def f(x):\n    return 2 * x\n")
    with SandboxedStudent(path, meanwhile=meanwhile) as s:
        assert s.load.ok and s.call("f", 21).value == 42
    assert seen and seen[0] >= 1           # once, with the child already started
    assert len(seen) == 1
    assert sandbox_processes() == []


def test_meanwhile_failure_stops_the_child(tmp_path):
    def meanwhile():
        raise RuntimeError("grader broke")

    path = write(tmp_path, "def f(x):\n    return x\n")
    s = SandboxedStudent(path, meanwhile=meanwhile)
    with pytest.raises(RuntimeError, match="grader broke"):
        s.open()
    assert sandbox_processes() == []
    s.close()


# ------------------------------------------------------------------ prime

PRIMED = {
    "reference": layers._reference,
    "variant outputs": layers._variant_outputs,
    "answer key's time": cost.reference_seconds,
    "saturated layers": saturated.saturated_layer,
    "jacobian cases": q3_gradient_flow._jacobian_case,
    "norms cases": q3_gradient_flow._norms_case,
}


def test_prime_computes_what_grading_then_reads_from_the_caches():
    """After prime(), grading the answer key computes none of the cached case
    data again: each of these caches has no new miss."""
    assert oracle.current().profile.name == "hidden"
    prime_module.prime()
    before = {name: f.cache_info().misses for name, f in PRIMED.items()}
    result = grade_source(compose(""), "answer key")
    after = {name: f.cache_info().misses for name, f in PRIMED.items()}
    assert result.score == pytest.approx(100.0)
    assert after == before


def test_prime_changes_no_grade():
    """A bug graded with cold caches and after prime() gets the same result."""
    bug = REPO / "tests" / "files" / "bugs" / "dW_hh_transposed.py"
    for f in PRIMED.values():
        f.cache_clear()
    cold = grade_source(compose(bug), "bug").to_dict()
    for f in PRIMED.values():
        f.cache_clear()
    prime_module.prime()
    primed = grade_source(compose(bug), "bug").to_dict()
    assert cold == primed and cold["score"] < 100


# ------------------------------------------------------------------ entry points

def test_entry_points_load_no_grading_module():
    """Importing an entry point loads neither numpy nor the checks: the child
    starts first (single.start_child), and their import overlaps its start."""
    heavy = ("numpy", "autograder.grading", "autograder.checks", "solutions", "nbformat",
             "autograder.sandbox.launcher")
    code = ("import sys, autograder.platforms.gradescope, autograder.platforms.prairielearn; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout
    assert out.strip() == "[]"


def test_gradescope_run_starts_the_child_before_the_checks_load():
    root = Path("/var/tmp") / f"rnngrade-child-start-{os.getpid()}"
    (root / "source").mkdir(parents=True, exist_ok=True)
    (root / "submission").mkdir(exist_ok=True)
    try:
        (root / "submission" / "answer.py").write_text(compose(""))
        shutil.copy(REPO / "assignments" / "rnn_gradients" / "assignment.json", root / "source")
        for p in (root, root / "submission"):
            os.chmod(p, 0o755)
        os.chmod(root / "submission" / "answer.py", 0o644)
        code = textwrap.dedent(f"""
            import sys
            from autograder.sandbox import spawn
            from autograder.platforms import gradescope
            started = []
            real = spawn.prestart
            def prestart(*args, **kwargs):
                started.append("autograder.grading" in sys.modules or "autograder.checks" in sys.modules
                               or "numpy" in sys.modules)
                return real(*args, **kwargs)
            spawn.prestart = prestart
            document = gradescope.run({str(root)!r})
            print(started, document["score"])
        """)
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                             timeout=300)
        assert run.returncode == 0, run.stderr
        assert run.stdout.split()[-2:] == ["[False]", "100.0"]
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------ font list

FONT_PROBE = """
import os

def seeded():
    folder = os.environ["MPLCONFIGDIR"]
    names = sorted(os.listdir(folder))
    return names, [os.stat(os.path.join(folder, n)).st_uid == os.getuid() for n in names]

def marker():
    import matplotlib.font_manager as fm
    return sorted({f.name for f in fm.fontManager.ttflist if f.name.startswith("Rnngrade")})
"""


@pytest.fixture
def marked_font_list(tmp_path, monkeypatch):
    """The grading user's font list with one more font named RnngradeMarker, in a
    cache folder of its own: a child that shows the marker used this list."""
    real = mplfonts.font_lists()
    if not real:
        pytest.skip("matplotlib is not installed")
    name, data = real[0]
    fonts = json.loads(data)
    fonts["ttflist"].append({**fonts["ttflist"][0], "name": "RnngradeMarker"})
    cache = tmp_path / "grader-cache"
    cache.mkdir()
    (cache / name).write_text(json.dumps(fonts))
    monkeypatch.setenv("MPLCONFIGDIR", str(cache))
    monkeypatch.setattr(mplfonts, "_found", None)
    return name


def test_child_uses_the_grading_users_font_list(tmp_path, marked_font_list):
    path = write(tmp_path, FONT_PROBE)
    with SandboxedStudent(path) as s:
        assert s.load.ok
        names, own = s.call("seeded").value
        assert names == [marked_font_list] and all(own)    # the child's own copy
        assert s.call("marker").value == ["RnngradeMarker"]  # loaded, not scanned again


def test_font_list_is_built_once_when_missing(tmp_path, monkeypatch):
    if mplfonts.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed")
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path))
    monkeypatch.setattr(mplfonts, "_found", None)
    files = mplfonts.font_lists()
    assert files and all(mplfonts.NAME.fullmatch(name) for name, _ in files)
    assert sorted(p.name for p in tmp_path.glob("fontlist-v*.json")) == [name for name, _ in files]
    assert mplfonts.font_lists() is files           # looked up once per process


def test_font_lists_ignore_links_and_other_files(tmp_path, monkeypatch):
    (tmp_path / "fontlist-v1.json").write_text("{}")
    (tmp_path / "fontlist-v2.json").symlink_to(tmp_path / "fontlist-v1.json")
    (tmp_path / "notes.json").write_text("{}")
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path))
    monkeypatch.setattr(mplfonts, "_found", None)
    assert mplfonts.font_lists() == [("fontlist-v1.json", b"{}")]


def test_entry_point_with_nothing_to_grade_leaves_no_spare_child(tmp_path):
    """The child started early is never taken when the upload holds nothing to grade;
    the entry point still ends with it killed and its folder gone (single.exit_now)."""
    root = tmp_path / "gs"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    shutil.copy(REPO / "assignments" / "rnn_gradients" / "assignment.json", root / "source")
    proc = subprocess.Popen([sys.executable, "-m", "autograder.platforms.gradescope"], cwd=REPO,
                            env=dict(os.environ, AUTOGRADER_ROOT=str(root)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    document = json.loads((root / "results" / "results.json").read_text())
    assert document["score"] == 0 and "no notebook" in document["output"]
    left = list(Path(tempfile.gettempdir()).glob(f"rnngrade-sandbox-{proc.pid}-*"))
    assert left == []


# ------------------------------------------------------------------ early setup and preload

PRELOAD_PROBE = """
import os, sys
preloaded = "matplotlib.pyplot" in sys.modules      # before this file imports it
import matplotlib
import matplotlib.pyplot as plt

def seen():
    return preloaded, matplotlib.get_configdir() == os.environ["MPLCONFIGDIR"], os.getuid()
"""


def test_spare_sent_its_setup_is_taken_by_a_student_with_the_same_limits(tmp_path):
    from autograder.sandbox import Limits, discard_spares, isolation_mode, spawn
    from autograder.sandbox.spawn import prestart

    path = write(tmp_path, PRELOAD_PROBE)
    limits = Limits()
    mode = isolation_mode(limits.isolation)
    try:
        prestart(mode, limits, preload=("matplotlib.pyplot",))
        spare = spawn._SPARES[mode]
        assert spare.setup_seq is not None
        with SandboxedStudent(path, limits=limits) as s:
            assert s.load.ok, s.load.reason
            assert s._child is spare                               # the spare, not a new child
            preloaded, own_config, uid = s.call("seen").value
            # imported before the submission's code, confined, as the submission's user
            assert preloaded and own_config
            assert uid != 0 or mode == "userns"
        assert sandbox_processes() == []
        prestart(mode, limits, preload=("matplotlib.pyplot",))
        other = Limits(call_seconds=limits.call_seconds + 1)
        spare = spawn._SPARES[mode]
        with SandboxedStudent(path, limits=other) as s:        # other limits: a child of its own
            assert s._child is not spare and spare.proc.poll() is not None
            assert s.load.ok and s.call("seen").value[0] is False
    finally:
        discard_spares()
    assert sandbox_processes() == []


def test_preload_names_only_what_the_upload_imports(tmp_path):
    from autograder.platforms.single import _preload

    (tmp_path / "a").mkdir()
    write(tmp_path / "a", "import numpy as np\nfrom matplotlib import pyplot as plt\n", name="hw.py")
    (tmp_path / "b").mkdir()
    write(tmp_path / "b", "import numpy as np\n# import matplotlib.pyplot\n", name="hw.py")
    assert _preload(tmp_path / "a") == ("matplotlib.pyplot",)
    assert _preload(tmp_path / "b") == ()
    assert _preload(tmp_path / "missing") == ()
