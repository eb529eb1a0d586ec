"""SandboxedStudent: the same semantics as LocalStudent, run in a child.

Each test writes a small submission into tmp_path (trusted test code) or
uses tests/files/hostile/ (see test_sandbox_hostile.py for those tricks).
"""

import math
import os
import textwrap
import time

import nbformat
import numpy as np
import psutil
import pytest

from autograder.sandbox import (Limits, SandboxedStudent, StudentRef, discard_spares,
                                isolation_mode)
from autograder.student import LocalStudent

MODE = isolation_mode()
IS_ROOT = os.geteuid() == 0

SOURCE = '''
import numpy as np

class Cache:
    def __init__(self, **kw):
        self.__dict__.update(kw)

def echo(*args):
    return args

def first(x):
    return x[0]

def forward(x, W):
    h = np.tanh(x @ W.T)
    return h, Cache(x=x, W=W, h=h)

def backward(dh, cache):
    dpre = dh * (1 - cache.h ** 2)
    return dpre @ cache.W, dpre.T @ cache.x

def tuple_cache(x):
    return x * 2, (x, [x + 1])

def use_tuple_cache(cache):
    return cache[1][0] - cache[0]

def raise_value(msg):
    raise ValueError(msg)

class MyError(KeyError):
    pass

def raise_custom():
    raise MyError("custom")

def mutate(params, xs):
    params["W_f"] += 1
    xs[1][0] = -5.0
    return None

def honest(params, xs):
    return {k: v * 2 for k, v in params.items()}

def shout(text):
    print(text)
    print("err:" + text, file=__import__("sys").stderr)
    return len(text)

def env():
    import os
    return dict(os.environ)

def loop():
    while True:
        pass

def die():
    import os
    os._exit(7)

def nrefs():
    import gc
    for obj in gc.get_objects():
        if type(obj).__name__ == "Worker" and hasattr(obj, "refs"):
            return len(obj.refs)
    return -1

def whoami():
    import os
    return os.getuid(), os.getcwd(), sorted(os.listdir("."))

RAN_MAIN = False
if __name__ == "__main__":
    RAN_MAIN = True

def ran_main():
    return RAN_MAIN

value_at_import = 1 / 0
after_error = "never"
'''


@pytest.fixture(scope="module")
def src_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("sub") / "alice.py"
    path.write_text(SOURCE)
    return path


@pytest.fixture(scope="module")
def student(src_path):
    with SandboxedStudent(src_path) as s:
        yield s


@pytest.fixture(scope="module")
def local():
    ns = {"__name__": "submission"}
    try:
        exec(SOURCE, ns)    # trusted: the test's own source
    except ZeroDivisionError:
        pass
    return LocalStudent(ns)


def sandbox_processes():
    """Our descendants that belong to a sandbox (supervisor, worker, forks)."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            continue
        if "autograder.sandbox.boot" in cmd:
            out.append(p)
    return out


def write(tmp_path, text, name="s.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# ------------------------------------------------------------------ loading

def test_load_reports_functions_and_import_error_note(student):
    load = student.load
    assert load.ok and load.reason == ""
    assert {"echo", "forward", "backward", "Cache", "ran_main"} <= set(load.functions)
    assert "get_ipython" not in load.functions and "display" not in load.functions
    assert any(n.startswith("The submission's file raised ZeroDivisionError") and "(line" in n
               for n in load.notes)
    assert student.has("echo") and not student.has("after_error") and not student.has("nope")


def test_py_file_does_not_run_its_main_guard(student):
    assert student.call("ran_main").value is False


def test_notebook_runs_as_main_with_stubs(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# hi"),
                nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np\nx = 1"),
                nbformat.v4.new_code_cell("display(x)\nget_ipython().events.register('post_run_cell', print)"),
                nbformat.v4.new_code_cell("raise KeyError('boom')"),
                nbformat.v4.new_code_cell("def main_name():\n    return __name__, x")]
    path = tmp_path / "nb.ipynb"
    path.write_text(nbformat.writes(nb))
    with SandboxedStudent(path) as s:
        assert s.load.ok
        assert s.load.notes == ["The submission's cell 4 raised KeyError: 'boom' (line 1)"]
        assert s.call("main_name").value == ("__main__", 1)


def test_syntax_error_in_py_file_is_not_gradable(tmp_path):
    path = write(tmp_path, "def f():\n    return 1\n\ndef g(:\n    pass\n")
    with SandboxedStudent(path) as s:
        assert not s.load.ok and "line 4" in s.load.reason and "syntax error" in s.load.reason
        out = s.call("f")
        assert out.kind == "missing" and "syntax error" in out.error
        assert not s.has("f")


def test_malformed_file_starts_no_child(tmp_path):
    path = write(tmp_path, "", name="empty.ipynb")
    before = sandbox_processes()
    with SandboxedStudent(path) as s:
        assert not s.load.ok and s.load.reason == "The notebook is empty."
        assert s.call("chain_product", [1.0]).kind == "missing"
        assert s.isolation is None and s._child is None
        assert sandbox_processes() == before


# ------------------------------------------------------------------ values

def test_values_cross_as_data(student):
    args = (None, True, 3, 2 ** 70, 1.5, float("nan"), math.inf, "ü", (1, [2.0, (3,)]),
            {"a": np.arange(3.0), "b": (np.float32(1.5), np.int64(2))}, np.eye(2), np.zeros((0, 3)))
    out = student.call("echo", *args)
    assert out.ok and type(out.value) is tuple and len(out.value) == len(args)
    v = out.value
    assert v[:5] == args[:5] and math.isnan(v[5]) and v[6] == math.inf and v[7] == "ü"
    assert v[8] == (1, [2.0, (3,)]) and type(v[8][1]) is list and type(v[8][1][1]) is tuple
    assert np.array_equal(v[9]["a"], np.arange(3.0)) and type(v[9]["b"][0]) is np.float32
    assert np.array_equal(v[10], np.eye(2)) and v[11].shape == (0, 3)
    assert out.seconds > 0 and out.mutated == ()


def test_cache_object_stays_in_the_child(student):
    x, W = np.ones((2, 3)), np.full((4, 3), 0.1)
    fwd = student.call("forward", x, W)
    h, cache = fwd.value
    assert isinstance(cache, StudentRef) and cache.type_name == "Cache"
    assert "Cache" in repr(cache)
    back = student.call("backward", np.ones_like(h), cache)
    assert back.ok
    dx, dW = back.value
    dpre = 1 - np.tanh(x @ W.T) ** 2
    assert np.allclose(dx, dpre @ W) and np.allclose(dW, dpre.T @ x)


def test_plain_data_cache_crosses_as_data(student):
    y, cache = student.call("tuple_cache", np.arange(3.0)).value
    assert type(cache) is tuple and type(cache[1]) is list
    assert np.array_equal(student.call("use_tuple_cache", cache).value, np.ones(3))


def test_reference_from_another_student_is_refused(student, src_path):
    cache = student.call("forward", np.ones((1, 2)), np.ones((1, 2))).value[1]
    with SandboxedStudent(src_path) as other:
        with pytest.raises(ValueError):
            other.call("backward", np.ones((1, 1)), cache)


def test_dropped_references_are_freed_in_the_child(student):
    import gc
    base = student.call("nrefs").value
    refs = [student.call("forward", np.ones((1, 2)), np.ones((1, 2))).value[1] for _ in range(5)]
    assert student.call("nrefs").value == base + 5
    del refs
    gc.collect()
    assert student.call("nrefs").value == base


def test_unsendable_argument_is_the_graders_error(student):
    with pytest.raises(TypeError):
        student.call("echo", object())


# ------------------------------------------------------------------ like LocalStudent

def strip(outcome):
    return (outcome.error, outcome.kind, outcome.exc_types, outcome.mutated)


def test_exceptions_match_local_student(student, local):
    for name, args in (("raise_value", ("max_norm must be positive",)), ("raise_custom", ()),
                       ("nope", ())):
        a, b = student.call(name, *args), local.call(name, *args)
        assert strip(a) == strip(b)
    out = student.call("raise_value", "bad")
    assert out.kind == "exception" and out.raised("ValueError") and out.raised("Exception")
    assert out.error == "raised ValueError: bad"
    assert student.call("raise_custom").exc_types[:3] == ("MyError", "KeyError", "LookupError")


def test_mutation_paths_match_local_student(student, local):
    def args():
        return {"W_f": np.zeros(2), "b_f": np.ones(1)}, [np.ones(1), np.zeros(2)]
    a_args, b_args = args(), args()
    a, b = student.call("mutate", *a_args), local.call("mutate", *b_args)
    assert a.mutated == b.mutated == ("arg 0['W_f']", "arg 1[1]")
    # the child only ever had copies: the grader's arrays are untouched
    assert np.array_equal(a_args[0]["W_f"], np.zeros(2))
    assert student.call("honest", *args()).mutated == ()


def test_child_text_is_made_safe_to_print(tmp_path):
    path = write(tmp_path, """
        class Sneaky(ValueError):
            pass
        Sneaky.__name__ = "Sneaky\\x1b[31m"
        print("\\udcff")
        def bad():
            raise ValueError("clear screen \\x1b[2J and \\udcff lone surrogate")
        def sneaky():
            raise Sneaky("x")
        bad_at_import = 1 / 0 if False else None
        raise RuntimeError("\\x07bell")
        """)
    with SandboxedStudent(path) as s:
        texts = [s.call("bad").error, *s.call("sneaky").exc_types, *s.load.notes]
        for text in texts:
            text.encode("utf-8")                       # no lone surrogates
            assert not any(ord(c) < 32 and c not in "\t\n" for c in text), text
        assert "clear screen" in texts[0]
        s.output()[0].encode("utf-8")


def test_missing_function(student):
    out = student.call("rnn_forward", 1)
    assert out.kind == "missing" and out.error == "`rnn_forward` is not defined" and not out.ok


# ------------------------------------------------------------------ environment, output

def test_child_environment_is_minimal(student, src_path, monkeypatch):
    monkeypatch.setenv("RNNGRADE_TEST_SECRET", "do-not-leak")
    with SandboxedStudent(src_path) as s:
        env = s.call("env").value
    assert "RNNGRADE_TEST_SECRET" not in env
    assert env["MPLBACKEND"] == "Agg"
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        assert env[var] == "1"
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "MPLBACKEND", "MPLCONFIGDIR",
                        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                        "NUMEXPR_NUM_THREADS", "PYTHONDONTWRITEBYTECODE"}


def test_output_is_captured_not_printed(student, capfd):
    assert student.call("shout", "hello").value == 5
    out, err = student.output()
    assert "hello\n" in out and "err:hello\n" in err
    seen = capfd.readouterr()
    assert "hello" not in seen.out and "hello" not in seen.err


def test_output_limit_and_note(tmp_path):
    path = write(tmp_path, "print('a' * 5000)\ndef f():\n    print('b' * 5000)\n    return 1\n")
    with SandboxedStudent(path, Limits(output_bytes=6000)) as s:
        assert s.call("f").value == 1
        out, err = s.output()
        assert len(out) + len(err) == 6000 and s.output_dropped == 10002 - 6000
        assert any("printed more than 6000 bytes" in n for n in s.load.notes)


def test_working_folder_is_empty_and_private(student):
    uid, cwd, entries = student.call("whoami").value
    assert entries == [] or entries == [".matplotlib"]
    if MODE == "root":
        assert uid != 0 and cwd == "/tmp/work"


@pytest.mark.skipif(not IS_ROOT, reason="the full protections need root")
def test_protections_as_root(student):
    assert student.isolation == "root"
    prot = " ".join(student.protections)
    for words in ("PID namespace", "network namespace", "mount namespace", "chroot",
                  "user of its own", "resource limits", "no new privileges",
                  "IPC namespace", "keyrings of its own"):
        assert words in prot


# ------------------------------------------------------------------ failures and limits

def test_crash_then_fresh_child(student):
    out = student.call("die")
    assert out.kind == "crash" and "exited with status 7" in out.error
    assert student.call("first", [4, 5]).value == 4
    assert student.restarts >= 1
    # a reference from before the restart is reported, not sent
    fwd = student.call("forward", np.ones((1, 2)), np.ones((1, 2)))
    student.call("die")
    stale = student.call("backward", np.ones((1, 1)), fwd.value[1])
    assert stale.kind == "crash" and "restarted" in stale.error


def test_child_that_died_between_calls_is_replaced(tmp_path):
    path = write(tmp_path, """
        import os, threading, time
        def later():
            threading.Thread(target=lambda: (time.sleep(0.05), os._exit(9))).start()
            return 1
        def ok():
            return 2
        """)
    with SandboxedStudent(path) as s:
        assert s.call("later").value == 1
        time.sleep(0.3)
        assert s.call("ok").value == 2 and s.restarts == 1


def test_timeout_kills_and_restarts(tmp_path):
    path = write(tmp_path, "def loop():\n    while True:\n        pass\n\ndef ok():\n    return 1\n")
    with SandboxedStudent(path, Limits(call_seconds=0.5)) as s:
        t = time.monotonic()
        out = s.call("loop")
        assert out.kind == "timeout" and out.error == "did not finish within 0.5 s"
        assert time.monotonic() - t < 2.5
        assert s.call("ok").value == 1 and s.restarts == 1


def test_submission_budget_gives_limit(tmp_path):
    path = write(tmp_path, "def loop():\n    while True:\n        pass\n\nloop2 = loop\n\n"
                 "def ok():\n    return 1\n")
    with SandboxedStudent(path, Limits(call_seconds=0.6, submission_seconds=1.4)) as s:
        assert s.call("loop").kind == "timeout"          # budget left: enough for 0.6 s
        out = s.call("loop2")                             # restarts; less than 0.6 s left
        assert out.kind in ("limit", "timeout")
        out = s.call("ok")
        assert out.kind == "limit" and "time budget" in out.error
        assert s.seconds_used >= 1.4


def test_restart_allowance_gives_limit(tmp_path):
    path = write(tmp_path, "import os\ndef die():\n    os._exit(1)\n\ndef ok():\n    return 1\n")
    with SandboxedStudent(path, Limits(max_restarts=1)) as s:
        assert s.call("die").kind == "crash"
        assert s.call("die").kind == "crash"              # after restart 1
        out = s.call("ok")
        assert out.kind == "limit" and "crashed or timed out" in out.error


def test_load_timeout_is_not_gradable(tmp_path):
    path = write(tmp_path, "def f():\n    return 1\nwhile True:\n    pass\n")
    with SandboxedStudent(path, Limits(load_seconds=0.5)) as s:
        assert not s.load.ok and "did not finish within 0.5 s" in s.load.reason
        assert s.call("f").kind == "missing"


@pytest.mark.slow
def test_cpu_limit_kills_busy_child(tmp_path):
    path = write(tmp_path, "def spin():\n    while True:\n        pass\n")
    with SandboxedStudent(path, Limits(cpu_seconds=1, call_seconds=20)) as s:
        out = s.call("spin")
    assert out.kind == "crash" and ("SIGXCPU" in out.error or "SIGKILL" in out.error)


def test_closed_student_refuses_calls_and_leaves_nothing(src_path):
    s = SandboxedStudent(src_path).open()
    assert s.call("first", [1]).value == 1
    assert sandbox_processes()
    s.close()
    s.close()                       # idempotent
    assert sandbox_processes() == []
    with pytest.raises(RuntimeError):
        s.call("first", [1])


def test_prestarted_spare_child_is_used_and_discarded(src_path):
    try:
        with SandboxedStudent(src_path, prestart=True) as s:
            assert s.call("first", [1]).value == 1
        spare = [p for p in sandbox_processes()]
        assert len(spare) >= 1                     # the next submission's child, waiting
        with SandboxedStudent(src_path) as s:
            assert s.load.ok and s.call("first", [2]).value == 2
            # no new child was started: the waiting spare runs this submission
            assert {p.pid for p in sandbox_processes()} == {p.pid for p in spare}
        assert sandbox_processes() == []           # the spare was adopted, then closed
        with SandboxedStudent(src_path, prestart=True) as s:
            assert s.call("first", [3]).value == 3
    finally:
        discard_spares()
    assert sandbox_processes() == []


def test_timing_numbers(src_path, capsys):
    """Child start + load, and a round trip with small arrays (printed, never asserted:
    bench/ measures speed; here the 400 round trips must only give right answers)."""
    starts, warm = [], []
    for i in range(6):
        t = time.perf_counter()
        with SandboxedStudent(src_path, prestart=i >= 2) as s:
            (warm if i >= 3 else starts).append(time.perf_counter() - t)
            x, W = np.ones((4, 5)), np.full((6, 5), 0.1)
            s.call("forward", x, W)
            t = time.perf_counter()
            for _ in range(200):
                h, cache = s.call("forward", x, W).value
                back = s.call("backward", h, cache)
                assert h.shape == (4, 6) and back.ok
            per_call = (time.perf_counter() - t) / 400
    discard_spares()
    with capsys.disabled():
        print(f"\n[sandbox {MODE}] start+load {min(starts) * 1000:.0f} ms cold, "
              f"{min(warm) * 1000:.0f} ms with a prestarted child; "
              f"round trip {per_call * 1e6:.0f} us per call")
