"""The hostile submissions of tests/files/hostile/ against the sandbox.

Each fixture's docstring says what it tries. These tests check the sandbox
level only: the trick stays inside the child and the grading process sees
data, outcomes and nothing else. (Whether a trick gains points over an
honest all-zeros twin is a grading-level test.)
"""

import ast
import os
import socket
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from autograder import spec
from autograder.sandbox import Limits, SandboxedStudent, StudentRef, isolation_mode
from hostile_fixtures import hostile_dir

HOSTILE = hostile_dir()          # the fixtures composed with tests/files/zeros.py
REPO = Path(__file__).resolve().parents[1]
MODE = isolation_mode()
IS_ROOT = os.geteuid() == 0
needs_namespaces = pytest.mark.skipif(MODE == "none", reason="needs namespaces (root or userns)")
needs_root = pytest.mark.skipif(MODE != "root", reason="needs root (own uid, RLIMIT_NPROC)")

x2 = np.ones((2, 4))
x3 = np.ones((2, 3, 4))
h0 = np.zeros((2, 5))
W_xh = np.full((5, 4), 0.1)
W_hh = np.eye(5)
b_h = np.zeros(5)


def sandbox(name, limits=None):
    return SandboxedStudent(HOSTILE / name, limits or Limits())


def sandbox_processes():
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if "autograder.sandbox.boot" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def processes_in_pid_namespace(ns):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.readlink(f"/proc/{pid}/ns/pid") == ns:
                    found.append(int(pid))
            except OSError:
                pass
    return found


def test_every_fixture_says_what_it_tries():
    files = sorted(HOSTILE.iterdir())
    assert len(files) >= 20
    for path in files:
        if path.suffix == ".py":
            doc = ast.get_docstring(ast.parse(path.read_text())) if path.name != "syntax_error.py" \
                else path.read_text().split('"""')[1]
            assert doc and "Trick" in doc, path.name


# ------------------------------------------------------------------ cheating

def test_numpy_patch_stays_in_the_child():
    allclose, assert_allclose = np.allclose, np.testing.assert_allclose
    with sandbox("patch_numpy_allclose.py") as s:
        assert s.load.ok
        assert s.call("probe").value == (True, None)        # patched there
        assert s.call("rnn_step_forward", x2, h0, W_xh, W_hh, b_h).ok
    assert np.allclose is allclose and np.testing.assert_allclose is assert_allclose
    assert not np.allclose(0.0, 1.0)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(0.0, 1.0)


def test_lying_ndarray_arrives_as_plain_array():
    with sandbox("lying_ndarray.py") as s:
        h, cache = s.call("rnn_step_forward", x2, h0, W_xh, W_hh, b_h).value
        J = s.call("hidden_jacobian", h0, W_hh).value
    for arr in (h, J):
        assert type(arr) is np.ndarray
        assert not np.allclose(arr, 1.0) and not np.array_equal(arr, np.ones_like(arr))
        assert not (arr == 1.0).all()
    assert J.shape == (2, 5, 5)


def test_frame_reader_sees_no_grader_frame_or_value():
    expected = np.full((2, 5), 987654.321)     # what a checker would hold  # noqa: F841
    kept = [987654.321]                        # noqa: F841
    with sandbox("frame_reader.py") as s:
        report = s.call("spy").value
        h, _ = s.call("rnn_step_forward", x2, h0, W_xh, W_hh, b_h).value
    assert report["hits"] == 0
    sandbox_dir = str(REPO / "autograder" / "sandbox")
    for f in report["files"]:
        assert f in ("submission.py", "<string>") or f.startswith(sandbox_dir), f
    assert "expected" not in report["locals"] and "kept" not in report["locals"]
    assert np.array_equal(h, np.zeros((2, 5)))


@needs_namespaces
def test_answer_key_cannot_be_imported_or_read():
    with sandbox("read_hidden_files.py") as s:
        imports = s.call("try_import").value
        found = s.call("find_hidden").value
        roots = s.call("visible_roots").value
        who = s.call("whoami").value
    assert imports["import"] in ("ModuleNotFoundError", "ImportError")
    assert imports["editable"] in ("ModuleNotFoundError", "ImportError")
    secret_dirs = [str(REPO / d) for d in ("solutions", "tests", "autograder", "assignments",
                                           "bench", ".git")]
    leaks = [f for f in found if any(f.startswith(d + "/") for d in secret_dirs)]
    assert leaks == []
    # the repository folder exists only as the path to the environment
    repo_view = roots.get(str(REPO.parent)) if str(REPO.parent) in roots else None
    assert repo_view in (None, [REPO.name])
    assert who["pid"] == 1 and who["ppid"] == 0 and who["cwd"] == "/tmp/work"
    if MODE == "root":
        assert who["uid"] == who["euid"] >= 600000 and who["groups"] == []     # its own uid


@needs_namespaces
def test_repository_folders_are_not_visible(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(
        "import os\n"
        f"REPO = {str(REPO)!r}\n"
        "def probe():\n"
        "    out = {}\n"
        "    for d in ('', 'solutions', 'tests', 'autograder', 'assignments', 'bench', '.git'):\n"
        "        p = os.path.join(REPO, d)\n"
        "        try:\n"
        "            out[d] = sorted(os.listdir(p))\n"
        "        except OSError as e:\n"
        "            out[d] = type(e).__name__\n"
        "    return out\n")
    with SandboxedStudent(path) as s:
        seen = s.call("probe").value
    assert seen.pop("") == [".venv"]
    for d, listing in seen.items():
        assert listing in ("FileNotFoundError", "PermissionError", []), (d, listing)


def test_environment_leaks_nothing(monkeypatch):
    monkeypatch.setenv("GRADER_API_TOKEN", "secret-token")
    with sandbox("read_hidden_files.py") as s:
        env = s.call("environment").value
    assert "GRADER_API_TOKEN" not in env and "secret-token" not in str(env)


def test_forged_grade_files_do_not_reach_the_grader(tmp_path, monkeypatch, capfd):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.chdir(tmp_path)
    with sandbox("forge_results.py") as s:
        assert s.load.ok
        assert s.call("chain_product", [1.0]).ok
        stdout, _ = s.output()
        workdir = s._child.tmpdir
    mark = "FORGED-BY-HOSTILE-SUBMISSION"
    assert mark in stdout                              # captured, never parsed
    assert mark not in capfd.readouterr().out          # not on the grader's stdout
    assert not os.path.exists(workdir)                 # the child's folder is gone
    if MODE != "none":
        places = [tmp_path, out_dir, REPO, REPO.parent, Path("/tmp"), Path("/var/tmp"),
                  Path("/dev/shm"), Path.home(), Path("/")]
        for place in places:
            for name in ("results.json", "grades.csv", "grades.json"):
                p = place / name
                if p.exists():
                    assert mark not in p.read_text(errors="replace"), p


# ------------------------------------------------------------------ exits, loops, crashes

def test_sys_exit_in_function_is_an_exception():
    with sandbox("sys_exit_in_function.py") as s:
        out = s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h)
        assert out.kind == "exception" and out.raised("SystemExit")
        assert s.call("chain_product", [1.0]).value == 0.0 and s.restarts == 0


def test_os_exit_in_function_is_a_crash_then_a_fresh_child():
    with sandbox("os_exit_in_function.py") as s:
        out = s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h)
        assert out.kind == "crash" and "exited with status 0" in out.error
        assert s.call("chain_product", [1.0]).value == 0.0 and s.restarts == 1
        seg = s.call("segfault")
        assert seg.kind == "crash" and "SIGSEGV" in seg.error
        assert s.call("max_activation_derivative", "tanh").value == 0.0
    assert sandbox_processes() == []


def test_endless_loop_ignoring_sigterm_is_killed():
    with sandbox("sigterm_loop.py", Limits(call_seconds=1)) as s:
        t = time.monotonic()
        out = s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h)
        assert out.kind == "timeout" and time.monotonic() - t < 2.5
        assert s.call("chain_product", [1.0]).value == 0.0
    assert sandbox_processes() == []


def test_memory_hog_fails():
    with sandbox("memory_hog.py") as s:
        out = s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h)
        assert not out.ok
        assert out.raised("MemoryError") or out.kind == "crash"
        assert s.call("chain_product", [1.0]).value == 0.0


def test_forked_children_are_bounded_and_all_gone(tmp_path):
    with sandbox("fork_children.py") as s:
        report = s.call("fork_children", 50, 600).value
        assert 0 < len(report["pids"]) <= 50
        if MODE == "root":
            more = s.call("fork_many", 500).value
            assert len(report["pids"]) + more < Limits().processes
        pids = report["pids"] if MODE == "none" else []
        ns = report["pidns"]
    if MODE != "none":
        assert processes_in_pid_namespace(ns) == []
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert sandbox_processes() == []


def test_output_flood_is_drained_cut_and_noted():
    with sandbox("output_flood.py") as s:
        # a value, not a timeout: the parent drains the flood while the call runs
        assert s.call("chain_product", [1.0]).value == 0.0
        out, err = s.output()
        assert len(out) + len(err) <= Limits().output_bytes
        assert s.output_dropped >= 300 * 1024 * 1024 - Limits().output_bytes
        assert any("printed more than" in n for n in s.load.notes)
        assert s.call("flood", 1).value == 1


def test_non_utf8_output_is_harmless():
    with sandbox("non_utf8_output.py") as s:
        assert s.load.ok and s.call("chain_product", [1.0]).value == 0.0
        out, err = s.output()
    assert "\ufffd" in out and "\ufffd" in err and "not utf-8" in out


def test_infinite_recursion_is_an_exception_or_crash():
    with sandbox("infinite_recursion.py") as s:
        out = s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h)
        assert out.raised("RecursionError") or out.kind == "crash"
        assert s.call("chain_product", [1.0]).value == 0.0


def test_kill_attempts_hurt_only_the_child():
    me = os.getpid()
    with sandbox("kill_everyone.py") as s:
        for name in ("kill_all", "kill_group"):
            out = s.call(name)
            assert out.ok or out.kind == "crash"
        assert s.call("chain_product", [1.0]).value == 0.0
    assert psutil.pid_exists(me)


@needs_namespaces
def test_disk_and_file_limits():
    with sandbox("disk_hog.py") as s:
        big = s.call("big_file")
        assert big.raised("OSError") and "File too large" in big.error
        written, err, errno_ = s.call("many_files").value
        assert err == "OSError" and errno_ == 28 and written * (1 << 20) <= Limits().tmp_bytes
        n, errno_ = s.call("many_fds").value
        assert n < Limits().open_files and errno_ == 24


def test_background_thread_keeps_running_until_the_end():
    with sandbox("background_thread.py") as s:
        assert s.call("start").value is True
        first = s.call("ticks").value
        time.sleep(0.05)
        assert s.call("ticks").value > first
        assert "tick" in s.output()[0]
    assert sandbox_processes() == []


# ------------------------------------------------------------------ channel

def test_channel_tampering():
    with sandbox("channel_tamper.py") as s:
        out = s.call("forge_wrong_nonce")
        assert out.ok and out.value == 0                 # forged replies were dropped
        out = s.call("garbage")
        assert out.kind == "crash" and "protocol" in out.error
        assert s.call("fake_json_stdout").value == 0     # stdout is not the channel
        assert '"v": 100' in s.output()[0]
        grads = {"W_f": np.zeros(2)}
        out = s.call("hide_mutation", grads)
        # documented limit: a cheat can hide its own in-place change from the
        # report, but the grader's arrays never change (the child has copies)
        assert out.ok and np.array_equal(grads["W_f"], np.zeros(2))
        out = s.call("close_channel")
        assert out.kind == "crash"
        assert s.call("chain_product", [1.0]).value == 0.0


@needs_namespaces
def test_no_network():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    port = server.getsockname()[1]
    try:
        with sandbox("connect_localhost.py") as s:
            assert s.call("connect", port).value != "connected"
            assert s.call("connect", 53, "1.1.1.1").value != "connected"
            assert s.call("interfaces").value == ["lo"]
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()


# ------------------------------------------------------------------ types and values

def test_wrong_types_arrive_as_data_or_references():
    with sandbox("wrong_types.py") as s:
        h, cache = s.call("rnn_step_forward", x2, h0, W_xh, W_hh, b_h).value
        assert type(h) is np.ndarray and h.shape == (2, 5) and cache is None
        h = s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h).value[0]
        assert type(h) is list and np.asarray(h).shape == (2, 3, 5)
        assert s.call("hidden_jacobian", h0, W_hh).value == "zeros"
        assert s.call("decay_rate", [1.0, 0.5]).value is None
        clipped, norm = s.call("clip_grad_norm", {"W": np.ones(2)}, 1.0).value
        assert isinstance(clipped, StudentRef) and clipped.type_name == "dict"
        assert isinstance(norm, StudentRef) and norm.type_name == "set"
        assert s.call("clip_grad_value", {}, 1.0).value.type_name == "generator"
        assert s.call("max_activation_derivative", "tanh").value.type_name == "ndarray"
        assert s.call("chain_product", [1.0]).value.type_name == "complex"
        kinds = s.call("all_kinds").value
    assert [type(k) for k in kinds[:4]] == [np.float32, np.int64, np.bool_, np.complex128]
    assert kinds[4:11] == [1, 2.5, True, None, "s", (1, 2), [1, 2]]
    assert np.array_equal(kinds[11]["a"][0], np.arange(3))
    assert kinds[12].shape == (2, 0) and kinds[13].flags.f_contiguous
    assert kinds[14].tolist() == ["ab", "c"] and kinds[15].dtype == np.int32


def test_nan_and_inf_survive():
    with sandbox("nan_inf.py") as s:
        assert np.isnan(s.call("chain_product", [1.0]).value)
        assert s.call("max_activation_derivative", "tanh").value == np.inf
        assert s.call("decay_rate", [1.0]).value == -np.inf
        h, _ = s.call("rnn_step_forward", x2, h0, W_xh, W_hh, b_h).value
        assert h[0, 0] == np.inf and np.isnan(h[1]).all()
        grads, norm = s.call("clip_grad_norm", {"W": np.ones(2)}, 1.0).value
        assert np.isnan(grads["W"]).all() and np.isnan(norm)


# ------------------------------------------------------------------ loading

def test_missing_functions():
    with sandbox("missing_functions.py") as s:
        assert s.load.ok and set(s.load.functions) == {"sigmoid", "rnn_forwrad"}
        for name in spec.FUNCTIONS:
            assert not s.has(name)
            out = s.call(name)
            assert out.kind == "missing" and out.error == f"`{name}` is not defined"


def test_syntax_error():
    with sandbox("syntax_error.py") as s:
        assert not s.load.ok and "syntax error on line 12" in s.load.reason
        assert s.call("chain_product", [1.0]).kind == "missing"


def test_exit_at_import_keeps_what_was_defined():
    with sandbox("exit_at_import.py") as s:
        assert s.load.ok
        assert any("raised SystemExit: 3" in n for n in s.load.notes)
        assert set(s.load.functions) == {"chain_product", "max_activation_derivative"}
        assert s.call("chain_product", [2.0]).value == 0.0
        assert s.call("rnn_forward", x3, h0, W_xh, W_hh, b_h).kind == "missing"


def test_os_exit_at_import_is_not_gradable():
    with sandbox("os_exit_at_import.py") as s:
        assert not s.load.ok and "exited with status 0 while loading" in s.load.reason
        out = s.call("chain_product", [1.0])
        assert out.kind == "missing" and "could not be run" in out.error
    assert sandbox_processes() == []


@pytest.mark.parametrize("name, words, schema", [
    ("notebook_not_json.ipynb", "not valid JSON", False),
    ("notebook_wrong_schema.ipynb", "does not follow the Jupyter notebook format", True),
    ("notebook_list.ipynb", "does not follow the Jupyter notebook format", False),
    ("notebook_empty.ipynb", "is empty", False),
    ("notebook_binary.ipynb", "binary", False),
    ("notebook_not_utf8.ipynb", "not UTF-8", False),
])
def test_malformed_notebooks(name, words, schema):
    with sandbox(name) as s:
        assert not s.load.ok and words in s.load.reason
        # a file that cannot be read as a notebook starts no child; nbformat's schema
        # check runs while the child starts (launcher's meanwhile), which it then stops
        assert s._child is None and (s.isolation is not None) == schema
        assert s.call("chain_product", [1.0]).kind == "missing"
    assert sandbox_processes() == []


def test_hostile_notebook_magics_hooks_and_errors():
    allclose = np.allclose
    with sandbox("notebook_magics.ipynb") as s:
        assert s.load.ok
        notes = " | ".join(s.load.notes)
        assert "cell 4 raised NameError" in notes and "cell 9 has a syntax error" in notes
        assert "cell 3" not in notes          # the hook registration was a harmless no-op
        assert s.call("demo_ran").value is True
        assert s.call("chain_product", [1.0]).value == 0.0
        assert s.has("gru_backward") and not s.has("broken")
    assert np.allclose is allclose
