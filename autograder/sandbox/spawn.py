"""Parent side: starting, killing and cleaning up sandbox children.

One child per submission (launcher.SandboxedStudent drives it). Starting
one (_spawn_child) sets up, before any code of the child runs:

- a working folder ``<tmp>/rnngrade-sandbox-<pid>-*``, flock'ed while the
  child lives; the first spawn of a grading process removes the folders
  and control groups of grading processes that died without cleaning up
  (kill -9; reap.sweep_stale)
- as root, a uid of its own (uids.py), so no kernel state tied to a user
  (keyrings, RLIMIT_NPROC, files) is shared with another submission
- as root, control groups limiting the memory and processes of its whole
  process tree (cgroups.py)
- its own IPC namespace (System V shared memory, message queues,
  semaphores) in every mode but "none" without root
- for the namespace modes, ``unshare`` with new mount, network, PID and IPC
  namespaces (and a user namespace in mode "userns")

Ending one (_terminate, _close_child) kills every process it started (PID
namespace, control group, or process-tree walk in mode "none"), removes
its control groups and folder, clears its uid's keyrings and releases
the uid (reap.py).
"""

import atexit
import fcntl
import os
import pwd
import select
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from importlib.util import find_spec
from pathlib import Path

from autograder.sandbox import cgroups, reap, uids

IMPORT_ROOT = Path(__file__).resolve().parent.parent.parent   # holds the autograder package
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# see boot.py; the student's stderr is a separate pipe so that unshare's own
# messages and startup failures go to the diagnostics pipe instead
BOOT = ("import sys;a=sys.argv;sys.path.insert(0,a[1]);"
        "from autograder.sandbox.boot import main;main(a[1:])")


class SandboxError(RuntimeError):
    """The sandbox itself could not be set up (a problem of the grading
    machine, never of the submission: no submission code has run)."""


class _Child:
    """One running worker process, its pipes and what it holds of the machine."""

    def __init__(self):
        self.proc = None
        self.mode = "none"
        self.tmpdir = None
        self.folder_lock = None
        self.lease = None          # uids.UidLease (as root)
        self.group = None          # cgroups.TreeGroup
        self.ipc = False           # own IPC namespace
        self.gen = 0
        self.req_w = self.resp_r = self.pidfd = self.err_r = None
        self.out_r = self.diag_r = None
        self.diag = b""
        self.sel = None
        self.reader = None
        self.outbuf = b""
        self.want_write = False
        self.dead = False
        # a spare sent its setup request when it started (prestart with limits):
        self.nonce = self.setup_seq = self.setup_limits = None
        self.resp_eof = False


# ------------------------------------------------------------------ modes

_MODE_CACHE = {}


def _unshare_path():
    return shutil.which("unshare", path=SYSTEM_PATH)


def _userns_works(unshare):
    if "userns" not in _MODE_CACHE:
        try:
            r = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "--net",
                                "--pid", "--fork", "true"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=10, env={"PATH": SYSTEM_PATH})
            _MODE_CACHE["userns"] = r.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _MODE_CACHE["userns"] = False
    return _MODE_CACHE["userns"]


def isolation_mode(requested="auto"):
    """The isolation mode this machine gives for a requested mode."""
    unshare = _unshare_path()
    if requested == "none":
        return "none"
    if requested in ("auto", "root") and os.geteuid() == 0 and unshare:
        return "root"
    if requested == "root":
        raise SandboxError("isolation 'root' needs root and the unshare command")
    if requested in ("auto", "userns") and unshare and _userns_works(unshare):
        return "userns"
    if requested == "userns":
        raise SandboxError("isolation 'userns' needs unprivileged user namespaces")
    return "none"


def _site_dirs():
    dirs = [p for p in sys.path
            if p and os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")]
    np_site = os.path.dirname(os.path.dirname(find_spec("numpy").origin))   # not imported here
    if np_site not in dirs:
        dirs.append(np_site)
    return ":".join(d for d in dirs if ":" not in d)


def _nobody():
    try:
        pw = pwd.getpwnam("nobody")
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        return 65534, 65534


def _tasks_of_uid(uid):
    """Processes and threads of a user (RLIMIT_NPROC counts them all)."""
    n = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                st = os.stat(f"/proc/{name}")
                if st.st_uid == uid:
                    n += len(os.listdir(f"/proc/{name}/task"))
            except OSError:
                pass
    return n


def _child_env(home):
    return {
        "PATH": SYSTEM_PATH, "HOME": home, "TMPDIR": home,
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": home + "/.matplotlib",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }



# ------------------------------------------------------------------ processes

def _describe_exit(rc):
    if rc is None:
        return "closed its channel to the grader"
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = "unknown signal"
        text = f"was killed by signal {-rc} ({name})"
        if -rc == signal.SIGXCPU:
            text += ": it used up its CPU time"
        return text
    return f"exited with status {rc}"


# ------------------------------------------------------------------ spawning

def _ids(child):
    """(uid, gid, who) the child's code runs as (modes "root" and "none" as root)."""
    if child.lease is not None:
        return child.lease.uid, child.lease.gid, "of its own"
    uid, gid = _nobody()
    return uid, gid, "nobody"


def identity(child, limits):
    """The setup config entries on the child's user and kernel state (for
    launcher's _config); sets the limits of the child's control groups."""
    uid, gid, who = _ids(child)
    processes = limits.processes
    if child.mode == "none" and os.geteuid() != 0:
        # RLIMIT_NPROC counts every process of the user: leave room for ours
        processes += _tasks_of_uid(os.getuid())
    elif child.mode == "none" and child.lease is None:
        processes += _tasks_of_uid(uid)
    tree = ()
    if child.group is not None:
        # + 2: the boot process (and in namespace modes its supervisor)
        held = child.group.set_limits(limits.memory_bytes, limits.processes + 2)
        tree = tuple(f"{what} ({limits.memory_bytes >> 20} MiB)" if what == "memory"
                     else "number of processes" for what in held)
    return {"uid": uid, "gid": gid, "user": who, "processes": processes,
            "ipc": child.ipc, "keyring": child.mode == "userns" or child.lease is not None,
            "tree": list(tree)}


def _argv(child, fds):
    group = child.group
    procs = ":".join(group.procs_files()) if group is not None else ""
    supervise = "0" if child.mode == "none" else "1"
    oom = group.oom_file() if group is not None and supervise == "1" else None
    argv = [sys.executable, "-I", "-S", "-B", "-c", BOOT, str(IMPORT_ROOT), _site_dirs(),
            *map(str, fds), supervise, procs, oom or "-"]
    unshare = _unshare_path()
    if child.mode == "root":
        return [unshare, "--mount", "--net", "--pid", "--ipc"] + argv
    if child.mode == "userns":
        return [unshare, "--user", "--map-root-user", "--mount", "--net", "--pid",
                "--ipc"] + argv
    if child.ipc:
        return [unshare, "--ipc"] + argv
    return argv


def _spawn_child(mode):
    """Start a worker process (numpy loads at once); it waits for setup."""
    reap.sweep_stale()
    child = _Child()
    child.mode = mode
    as_root = os.geteuid() == 0
    child.ipc = mode != "none" or (as_root and _unshare_path() is not None)
    try:
        child.tmpdir, child.folder_lock = reap.make_folder()
        if as_root and mode != "userns":
            child.lease = uids.lease()
            child.group = cgroups.TreeGroup()
        if mode == "none" and as_root:
            # without namespaces, root still drops to a user (see worker.setup)
            os.chown(child.tmpdir, *_ids(child)[:2])
    except OSError as exc:
        _release(child)
        raise SandboxError(f"could not prepare the sandbox: {exc}") from None
    home = "/tmp/work" if child.mode != "none" else child.tmpdir
    req_r, req_w = os.pipe2(os.O_CLOEXEC)
    resp_r, resp_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    try:
        child.proc = subprocess.Popen(
            _argv(child, (req_r, resp_w, err_w)), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=(req_r, resp_w, err_w), cwd=child.tmpdir, env=_child_env(home),
            start_new_session=True, close_fds=True)
    except OSError as exc:
        for fd in (req_w, resp_r, err_r):
            os.close(fd)
        _release(child)
        raise SandboxError(f"could not start the sandbox process: {exc}") from None
    finally:
        for fd in (req_r, resp_w, err_w):
            os.close(fd)
    _watch(child, req_w, resp_r, err_r)
    return child


def _watch(child, req_w, resp_r, err_r):
    """Register the child's pipes and pidfd with a selector of its own."""
    child.req_w, child.resp_r, child.err_r = req_w, resp_r, err_r
    child.out_r, child.diag_r = child.proc.stdout.fileno(), child.proc.stderr.fileno()
    os.set_blocking(req_w, False)
    os.set_blocking(resp_r, False)
    try:
        # the submission's cells fit at once: the child starts on them while
        # the grading process does its own work (SandboxedStudent's meanwhile)
        fcntl.fcntl(req_w, fcntl.F_SETPIPE_SZ, 1 << 20)
    except OSError:
        pass
    child.pidfd = os.pidfd_open(child.proc.pid)
    child.sel = selectors.DefaultSelector()
    child.sel.register(resp_r, selectors.EVENT_READ, "resp")
    child.sel.register(child.pidfd, selectors.EVENT_READ, "dead")
    for fd, what in ((child.out_r, "out"), (child.err_r, "err"), (child.diag_r, "diag")):
        os.set_blocking(fd, False)
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
        child.sel.register(fd, selectors.EVENT_READ, what)


def _release(child):
    """Give back what the child held: its control groups (killing whatever
    is still in them), its folder and its uid, in that order."""
    if child.group is not None:
        child.group.remove()
        child.group = None
    if child.tmpdir is not None:
        reap.rmtree(child.tmpdir)
    if child.folder_lock is not None:
        os.close(child.folder_lock)
        child.folder_lock = None
    if child.lease is not None:
        if child.mode == "none":
            reap.remove_files_of(child.lease.uid)
        reap.clear_keyrings_of(child.lease.uid, child.lease.gid)
        child.lease.release()
        child.lease = None


# ------------------------------------------------------------------ spare children

_SPARES = {}                     # isolation mode -> a started, not yet set up child
_SPARE_LOCK = threading.Lock()
_SPARES_AT_EXIT = False


def prestart(mode, limits=None, preload=()):
    """Start a spare child for the next SandboxedStudent of this isolation
    mode, so that its Python and numpy start-up overlaps other work.

    With limits, the child is also sent its setup request now
    (setupcfg.config): it confines itself as soon as it is up, then imports
    ``preload`` as the submission's own user (the submission's first,
    slowest imports), while this process loads the grader. Only a
    SandboxedStudent with the same limits takes it. Needs no numpy: a
    platform's entry point calls it first (platforms/single.py)."""
    global _SPARES_AT_EXIT
    with _SPARE_LOCK:
        if mode in _SPARES:
            return
        if not _SPARES_AT_EXIT:
            atexit.register(discard_spares)     # also when no SandboxedStudent ever takes it
            _SPARES_AT_EXIT = True
    child = _spawn_child(mode)
    if limits is not None:
        _send_setup(child, limits, preload)
    with _SPARE_LOCK:
        if mode not in _SPARES:
            _SPARES[mode] = child
            return
    _terminate(child)
    _close_child(child)


def _send_setup(child, limits, preload):
    """Write a spare's setup request (what does not fit now stays in child.outbuf,
    which the SandboxedStudent that takes it writes first)."""
    import secrets

    from .frames import pack
    from .setupcfg import config

    cfg, blobs = config(child, limits, preload)
    child.nonce, child.setup_seq, child.setup_limits = secrets.token_hex(16), 1, limits
    child.outbuf = pack({"n": child.nonce, "s": child.setup_seq, "op": "setup", "cfg": cfg}, blobs)
    try:
        while child.outbuf:
            child.outbuf = child.outbuf[os.write(child.req_w, child.outbuf[:1 << 20]):]
    except (BlockingIOError, BrokenPipeError):
        pass          # the rest goes with the first requests (or the child is gone: seen then)


def _take_spare(mode, limits=None):
    """The spare child of this mode, if any is alive; one sent its setup
    for other limits than these is killed instead."""
    with _SPARE_LOCK:
        child = _SPARES.pop(mode, None)
    if child is not None and (child.proc.poll() is not None
                              or (child.setup_seq is not None and child.setup_limits != limits)):
        _terminate(child)
        _close_child(child)
        child = None
    return child


def discard_spares():
    """Kill the spare children started by prestart (also done at exit)."""
    with _SPARE_LOCK:
        spares = list(_SPARES.values())
        _SPARES.clear()
    for child in spares:
        _terminate(child)
        _close_child(child)


def _wait(child, timeout):
    """child.proc.wait(timeout), woken by the child's pidfd as soon as it ends
    (Popen.wait with a timeout polls with growing sleeps: about 15 ms late)."""
    if child.proc.poll() is None and child.pidfd is not None:
        try:
            select.select([child.pidfd], [], [], timeout)
        except (OSError, ValueError):
            return child.proc.wait(timeout=timeout)
    return child.proc.wait(timeout=0)


def _terminate(child, died=False):
    """Kill a child and every process it started; return how it ended (for
    messages). died: the channel closed or the process ended by itself, so
    give it a moment to finish dying first. Its pipes stay open (see
    _close_child) so that what it printed last can still be read."""
    proc = child.proc
    closed_channel = False
    if died:
        try:
            _wait(child, 0.5)
        except subprocess.TimeoutExpired:
            closed_channel = True
    if child.mode == "none":
        if child.group is not None and child.group.dirs:
            child.group.kill()
        elif proc.poll() is None:
            reap.kill_tree(proc.pid, proc.pid)
    elif proc.poll() is None:
        # the worker is PID 1 of its namespace: killing it kills every
        # process in the namespace; the supervisor (boot.py) exits once
        # it has reaped the worker
        for pid in reap.children_of(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    try:
        _wait(child, 3)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
    how = "closed its channel to the grader" if closed_channel else _describe_exit(proc.returncode)
    if child.group is not None:
        child.group.kill()            # stragglers (mode "none": escaped the process tree)
        if child.group.oom_kills() and child.group.memory_bytes:
            how += (": the submission's processes together used more than the memory "
                    f"limit of {child.group.memory_bytes >> 20} MiB")
    return how


def _close_child(child):
    """Close a dead child's pipes; delete its folder and control groups and
    release its uid."""
    if child.sel is None:
        return
    child.sel.close()
    child.sel = None
    for fd in (child.req_w, child.resp_r, child.pidfd, child.err_r):
        try:
            os.close(fd)
        except OSError:
            pass
    child.proc.stdout.close()
    child.proc.stderr.close()
    _release(child)


