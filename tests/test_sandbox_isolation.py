"""Nothing passes between submissions through the kernel, limits hold for
the whole process tree, and no sandbox leaves anything behind.

- IPC: each child has its own IPC namespace (System V shared memory,
  message queues, semaphores), so what one submission leaves there is gone
  with it and invisible to the others; /dev/shm is private; abstract unix
  sockets belong to the child's network namespace.
- Keyrings: each running child has a uid of its own and a session keyring of
  its own; a reused uid's user keyring is cleared before the next runs.
- Memory: as root, the child's control group limits its whole process tree.
- Leftovers: no working folder or control group remains after a batch, and a
  batch killed with SIGKILL leaves only what the next batch removes.

The hostile fixtures run only through the sandbox (SandboxedStudent or the
``rnngrade grade`` command); mode "none" runs only the benign source below.
"""

import ctypes
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from autograder.sandbox import Limits, SandboxedStudent, isolation_mode
from autograder.sandbox import cgroups, reap, spawn, uids
from hostile_fixtures import hostile_dir

HOSTILE = hostile_dir()
FILES = Path(__file__).parent / "files"
MODE = isolation_mode()
MiB = 1024 * 1024
IPC_KEY = 0x524E4E01                    # the key tests/files/hostile/ipc_share_answers.py uses
needs_root = pytest.mark.skipif(MODE != "root", reason="needs root (namespaces, uids, cgroups)")


def host_ipc_objects():
    """(kind, id) of the host's System V objects with the fixtures' key."""
    found = []
    for kind in ("shm", "msg", "sem"):
        with open(f"/proc/sysvipc/{kind}") as f:
            lines = f.read().splitlines()[1:]
        found += [(kind, int(line.split()[1])) for line in lines if int(line.split()[0]) == IPC_KEY]
    return found


def remove_host_ipc_objects():
    """Clean up after a failing run (trusted test code: IPC_RMID by id)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, ident in host_ipc_objects():
        if kind == "shm":
            libc.shmctl(ident, 0, None)
        elif kind == "msg":
            libc.msgctl(ident, 0, None)
        else:
            libc.semctl(ident, 0, 0)


def host_keys():
    """Ids of the fixtures' keys still in the kernel (they are readable by all)."""
    with open("/proc/keys") as f:
        return [int(line.split()[0], 16) for line in f if " rnngrade-answers: " in line]


def invalidate_keys(ids):
    from autograder.sandbox.confine import keyctl
    for key in ids:
        keyctl(21, key)                                      # KEYCTL_INVALIDATE


@pytest.fixture
def clean_host():
    """After the test: nothing of the fixtures' may be left in the host's
    kernel or /dev/shm (removed anyway, so that one failure does not leak)."""
    yield
    ipc = host_ipc_objects()
    remove_host_ipc_objects()
    dev_shm = os.path.exists("/dev/shm/rnngrade-answers")
    if dev_shm:
        os.unlink("/dev/shm/rnngrade-answers")
    deadline = time.monotonic() + 30
    while host_keys() and time.monotonic() < deadline:
        time.sleep(0.1)              # the kernel collects released keys asynchronously
    keys = host_keys()
    invalidate_keys(keys)
    assert ipc == [], "a submission's System V objects outlived it"
    assert not dev_shm, "a submission's /dev/shm file outlived it"
    assert keys == [], "a submission's keys outlived it"


# ------------------------------------------------------------------ IPC and keyrings

@needs_root
def test_what_one_submission_leaves_in_the_kernel_no_other_finds(clean_host):
    path = HOSTILE / "ipc_share_answers.py"
    with SandboxedStudent(path) as a:
        assert a.load.ok, a.load.reason
        left = a.call("leave").value
        assert {"shm", "msg", "sem", "user_key", "session_key", "dev_shm"} <= set(left)
        own = a.call("find").value
        assert own["shm"] == own["user_key"] == own["session_key"] == "answers of submission A"
        assert own["socket"] == "connected"
        with SandboxedStudent(path) as b:          # graded at the same time
            assert b.load.ok, b.load.reason
            assert b.call("found_at_import").value == {}
            assert a._child.lease.uid != b._child.lease.uid
        assert host_ipc_objects() == []              # A still runs: its objects are its own
        assert not os.path.exists("/dev/shm/rnngrade-answers")
    with SandboxedStudent(path) as c:              # graded later (maybe with A's uid)
        assert c.load.ok, c.load.reason
        assert c.call("found_at_import").value == {}
    prot = " ".join(c.protections)
    assert "IPC namespace" in prot and "keyrings of its own" in prot and "user of its own" in prot


NONE_SOURCE = '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
KEY = 0x524E4E01
ADD_KEY, KEYCTL = {"aarch64": (217, 219)}.get(os.uname().machine, (248, 250))

def leave():
    shm = libc.shmget(KEY, 4096, 0o1000 | 0o666)
    key = libc.syscall(ADD_KEY, b"user", b"rnngrade-answers", b"A", 1, -4)
    return shm >= 0, key > 0

def find():
    return (libc.shmget(KEY, 0, 0) >= 0,
            libc.syscall(KEYCTL, 10, -4, b"user", b"rnngrade-answers", 0) > 0)

def uid():
    return os.getuid()
'''


def mode_available(mode):
    if mode == "none":
        return os.geteuid() == 0 and spawn._unshare_path() is not None
    try:
        return isolation_mode(mode) == mode
    except spawn.SandboxError:
        return False


@pytest.mark.parametrize("mode", ["none", "userns"])
def test_fallback_modes_share_no_ipc_or_keyring(mode, tmp_path, clean_host):
    """Mode "none" as root (uid of its own, unshare --ipc) and mode "userns"
    (IPC and user namespaces: keyrings belong to the user namespace)."""
    if not mode_available(mode):
        pytest.skip(f"mode {mode} with these guarantees is not available here")
    path = tmp_path / "ipc.py"
    path.write_text(NONE_SOURCE)
    limits = Limits(isolation=mode)
    with SandboxedStudent(path, limits) as a:
        assert a.call("leave").value == (True, True)
        assert a.call("find").value == (True, True)
        with SandboxedStudent(path, limits) as b:
            assert b.call("find").value == (False, False)
            if mode == "none":
                assert a.call("uid").value != b.call("uid").value
    with SandboxedStudent(path, limits) as c:
        assert c.call("find").value == (False, False)


@pytest.mark.skipif(os.geteuid() != 0, reason="root only")
def test_without_a_free_uid_the_child_runs_as_nobody_and_says_so(monkeypatch, tmp_path):
    path = tmp_path / "ipc.py"
    path.write_text(NONE_SOURCE)
    monkeypatch.setattr(uids, "lease", lambda: None)
    with SandboxedStudent(path) as s:
        assert s.call("uid").value == spawn._nobody()[0]
        prot = " ".join(s.protections)
        assert "user nobody" in prot and "keyrings of its own" not in prot


def test_concurrent_leases_never_share_a_uid():
    held = subprocess.Popen(
        [sys.executable, "-c", "import sys,time;from autograder.sandbox import uids;"
         "l=uids.lease();print(l.uid,flush=True);sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[1])
    try:
        other = int(held.stdout.readline())
        mine = [uids.lease() for _ in range(3)]
        assert len({lease.uid for lease in mine} | {other}) == 4
        assert all(lease.uid >= uids.FIRST_UID for lease in mine)
        freed = mine[0].uid
        for lease in mine:
            lease.release()
        again = uids.lease()
        assert again.uid == freed            # released: free for the next child
        again.release()
    finally:
        held.stdin.close()
        held.wait(timeout=30)


# ------------------------------------------------------------------ memory of the tree

def memory_cgroup_works():
    return os.geteuid() == 0 and bool({"memory"} & set(cgroups.parents()) or
                                      "memory" in cgroups.read_text(
                                          os.path.join(cgroups.parents().get("v2", "/x"),
                                                       "cgroup.controllers")).split())


def tree_anon_bytes(root_pid):
    """Anonymous resident memory of a process and its descendants."""
    total = 0
    try:
        procs = [psutil.Process(root_pid)] + psutil.Process(root_pid).children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


@pytest.mark.skipif(MODE != "root" or not memory_cgroup_works(), reason="needs a memory cgroup")
def test_memory_limit_covers_the_whole_process_tree():
    limit = 512 * MiB
    with SandboxedStudent(HOSTILE / "memory_fork_tree.py", Limits(memory_bytes=limit)) as s:
        assert s.load.ok, s.load.reason
        peak, done = [0], threading.Event()
        root = s._child.proc.pid

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], tree_anon_bytes(root))
                time.sleep(0.02)
        watcher = threading.Thread(target=sample)
        watcher.start()
        try:
            out = s.call("fork_and_touch", 5, 200, 3.0)
        finally:
            done.set()
            watcher.join()
        assert out.kind == "crash", out
        assert "memory limit of 512 MiB" in out.error
        # 5 x 200 MiB were asked for; copy-on-write pages of the worker
        # (counted once per process here, once by the kernel) get 40 MiB each
        assert peak[0] < limit + 5 * 40 * MiB, peak[0] / MiB
        assert s.call("chain_product", [2.0]).error is None      # a fresh child works


# ------------------------------------------------------------------ leftovers

def sandbox_folders(folder):
    return sorted(p.name for p in Path(folder).glob(reap.FOLDER_PREFIX + "*"))


def groups_of(pids):
    """Our control groups owned by any of pids, in every hierarchy."""
    out = []
    for parent in cgroups.parents().values():
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        out += [n for n in names if n.startswith(cgroups.PREFIX)
                and int(n[len(cgroups.PREFIX):].split("-")[0]) in pids]
    return out


def grade(paths, tmp, out, **kw):
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", *map(str, paths),
                             "--jobs", "2", "--quiet", "--out", str(out)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parents[1], **kw)


@pytest.mark.slow
def test_a_batch_leaves_no_folder_or_control_group(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    batch = grade([FILES / "zeros.py", HOSTILE / "fork_children.py",
                   HOSTILE / "exit_at_import.py"], tmp, tmp_path / "out")
    pids = {batch.pid}
    while batch.poll() is None:
        try:
            pids |= {p.pid for p in psutil.Process(batch.pid).children(recursive=True)}
        except psutil.Error:
            pass
        time.sleep(0.05)
    assert batch.returncode == 0, batch.stderr.read()[-2000:]
    assert sandbox_folders(tmp) == []
    assert groups_of(pids) == []


@pytest.mark.slow
def test_a_killed_batch_leaves_what_the_next_one_removes(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    batch = grade([HOSTILE / "sigterm_loop.py", HOSTILE / "infinite_recursion.py"],
                  tmp, tmp_path / "out1", start_new_session=True)
    pids, deadline = {batch.pid}, time.monotonic() + 120

    def collect():
        # the grading processes name their control groups after themselves
        try:
            pids.update(p.pid for p in psutil.Process(batch.pid).children(recursive=True))
        except psutil.Error:
            pass

    while len(sandbox_folders(tmp)) < 2 and time.monotonic() < deadline:
        collect()
        time.sleep(0.05)
    collect()           # the workers that made the folders may have started since the last look
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    assert sandbox_folders(tmp), "the killed batch left no folder: nothing was tested"
    if os.geteuid() == 0 and cgroups.parents():
        assert groups_of(pids), "the killed batch left no control group: nothing was tested"
    again = grade([FILES / "zeros.py"], tmp, tmp_path / "out2")
    assert again.wait(timeout=300) == 0, again.stderr.read()[-2000:]
    assert sandbox_folders(tmp) == []
    assert groups_of(pids) == []
