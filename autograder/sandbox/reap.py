"""Parent side: ending what a sandbox child leaves behind.

- processes: kill_tree freezes and kills a process tree and its process
  group (mode "none", where no PID namespace or control group does it)
- working folders: make_folder creates ``<tmp>/rnngrade-sandbox-<pid>-*``
  and holds an flock on it while the child lives; sweep_stale removes the
  folders (and control groups) of grading processes that died without
  cleaning up, once per grading process
- a uid's traces: clear_keyrings_of empties its user keyrings, and
  remove_files_of deletes what it left in the world-writable folders
  (mode "none" only; the namespace modes have a private /tmp and /dev/shm)
"""

import fcntl
import glob
import os
import shutil
import signal
import tempfile
import time

from autograder.sandbox import cgroups

FOLDER_PREFIX = "rnngrade-sandbox-"


def proc_table():
    """pid -> (ppid, pgrp) for every process we can see."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        rest = data[data.rfind(b")") + 2:].split()
        try:
            table[int(name)] = (int(rest[1]), int(rest[2]))
        except (IndexError, ValueError):
            pass
    return table


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return [p for p, (ppid, _) in proc_table().items() if ppid == pid]


def kill_tree(root, pgid):
    """Freeze then kill root, its descendants and its process group
    (mode "none": no PID namespace does it for us)."""
    stopped = set()
    for _ in range(100):
        table = proc_table()
        family = {root} if root in table else set()
        family |= {p for p, (_, g) in table.items() if g == pgid}
        grew = True
        while grew:
            kids = {p for p, (pp, _) in table.items() if pp in family} - family
            grew = bool(kids)
            family |= kids
        family.discard(os.getpid())
        new = family - stopped
        if not new:
            break
        cgroups.signal_all(new, signal.SIGSTOP)
        stopped |= new
    cgroups.signal_all(stopped, signal.SIGKILL)
    # SIGKILL is delivered asynchronously: wait until each is dead (a zombie
    # or gone), so that nothing is still running when close() returns
    deadline = time.monotonic() + 3
    pending = set(stopped)
    while pending and time.monotonic() < deadline:
        pending = {p for p in pending if cgroups.pid_alive(p)}
        if pending:
            time.sleep(0.002)


def rmtree(path):
    def fix(func, p, exc_info):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
        except OSError:
            pass
        try:
            func(p)
        except OSError:
            pass
    shutil.rmtree(path, onerror=fix)
    if os.path.exists(path):
        shutil.rmtree(path, ignore_errors=True)


_SWEPT = []


def make_folder():
    """A new working folder and the open, flock'ed descriptor that marks it
    as in use (stale_folders() leaves it alone while the lock is held)."""
    path = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return path, fd


def stale_folders():
    """Working folders whose grading process died (owner pid gone, lock free)."""
    out = []
    for path in glob.glob(os.path.join(tempfile.gettempdir(), FOLDER_PREFIX + "*-*")):
        owner = os.path.basename(path)[len(FOLDER_PREFIX):].split("-", 1)[0]
        if not owner.isdigit() or int(owner) == os.getpid() or cgroups.pid_alive(int(owner)):
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            out.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return out


def sweep_stale():
    """Remove what grading processes killed before their cleanup left behind:
    working folders and control groups (once per grading process tree)."""
    if _SWEPT:
        return
    _SWEPT.append(os.getpid())
    for path in stale_folders():
        rmtree(path)
    cgroups.sweep_stale()


def clear_keyrings_of(uid, gid):
    """Empty a uid's user keyrings once its processes are gone: the kernel
    keeps them (and the keys' memory) after the last process of the uid."""
    from autograder.sandbox.confine import clear_user_keyrings
    pid = os.fork()
    if pid == 0:                       # trusted: only syscalls, then _exit
        try:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            clear_user_keyrings()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")


def remove_files_of(uid):
    """Mode "none" has no private /tmp: delete what the child's uid left in
    the world-writable folders, so the next holder of the uid finds nothing."""
    for folder in SHARED_FOLDERS:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass
