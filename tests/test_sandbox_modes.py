"""The fallback isolation modes: "userns" (no root needed) and "none".

Only benign submissions run here: in mode "none" nothing but resource
limits, the process group and (as root) a user of its own stand between the
submission and the machine, so hostile fixtures are never run in it.
"""

import os
import textwrap

import psutil
import pytest

from autograder.sandbox import Limits, SandboxedStudent, isolation_mode
from autograder.sandbox.launcher import SandboxError

SOURCE = '''
import os

def ok(x):
    return x * 2

def die():
    os._exit(3)

def identity():
    caps = None
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                caps = int(line.split()[1], 16)
    return {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(), "caps": caps}

def listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__

def fork_children(n):
    import time
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.setsid()
            time.sleep(600)
            os._exit(0)
        pids.append(pid)
    return pids
'''


def userns_available():
    try:
        return isolation_mode("userns") == "userns"
    except SandboxError:
        return False


MODES = ["none"] + (["userns"] if userns_available() else [])


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "benign.py"
    p.write_text(textwrap.dedent(SOURCE))
    p.chmod(0o644)
    return p


@pytest.mark.parametrize("mode", MODES)
def test_calls_and_restart(path, mode):
    with SandboxedStudent(path, Limits(isolation=mode)) as s:
        assert s.isolation == mode and s.load.ok
        assert s.call("ok", 21).value == 42
        out = s.call("die")
        assert out.kind == "crash" and "exited with status 3" in out.error
        assert s.call("ok", 1).value == 2 and s.restarts == 1


def test_none_mode_kills_escaped_children(path):
    with SandboxedStudent(path, Limits(isolation="none")) as s:
        pids = s.call("fork_children", 5).value
        assert len(pids) == 5 and all(psutil.pid_exists(p) for p in pids)
        tmpdir = s._child.tmpdir
    for p in pids:
        assert not psutil.pid_exists(p) or psutil.Process(p).status() == psutil.STATUS_ZOMBIE
    assert not os.path.exists(tmpdir)


@pytest.mark.skipif(os.geteuid() != 0, reason="root only")
def test_none_mode_as_root_still_drops_to_a_user_of_its_own(path):
    with SandboxedStudent(path, Limits(isolation="none")) as s:
        who = s.call("identity").value
        assert who["uid"] >= 600000 and who["caps"] == 0
        assert any(f"user of its own (uid {who['uid']})" in p for p in s.protections)


@pytest.mark.skipif("userns" not in MODES, reason="no unprivileged user namespaces")
def test_userns_mode_confines_without_root(path):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with SandboxedStudent(path, Limits(isolation="userns")) as s:
        who = s.call("identity").value
        assert who["pid"] == 1 and who["caps"] == 0 and who["cwd"] == "/tmp/work"
        assert s.call("listdir", repo).value in ([".venv"], "FileNotFoundError")
        assert s.call("listdir", os.path.join(repo, "solutions")).value == "FileNotFoundError"
        prot = " ".join(s.protections)
        assert "no capabilities" in prot and "chroot" in prot and "PID namespace" in prot
