"""Parent side: one control group per child, limiting its whole process tree.

A submission can fork: rlimits bound each process on its own, so 64
processes of 2 GiB each could hold 128 GiB. Where the grading process may
create control groups (root, with cgroup v2 controllers or v1 hierarchies
mounted), every child gets its own group under the grading process's
current one, in every hierarchy that helps:

- memory: ``memory.max`` (v2) or ``memory.limit_in_bytes`` and
  ``memory.memsw.limit_in_bytes`` (v1): the memory of every process of the
  tree together, with no swap; the kernel's OOM killer acts inside the group
- pids: ``pids.max``: processes and threads of the tree together
- a group to kill the tree by: ``cgroup.kill`` (v2) or the v1 freezer

The child's boot process writes itself into the groups (cgroup.procs)
before it starts the worker, so everything the submission runs is inside.
When the child ends, the groups are emptied (killed) and removed. Groups
are named after the grading process (``rnngrade-<pid>-<n>``): sweep_stale()
removes those whose process died without removing them.
"""

import itertools
import os
import signal
import time

ROOT = "/sys/fs/cgroup"
PREFIX = "rnngrade-"
_COUNTER = itertools.count(1)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _own_paths():
    """controller (or "" for v2) -> this process's group path."""
    out = {}
    for line in read_text("/proc/self/cgroup").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for ctrl in (parts[1].split(",") if parts[1] else [""]):
                out[ctrl] = parts[2]
    return out


def _v2_mount():
    for path in (os.path.join(ROOT, "unified"), ROOT):
        if os.path.exists(os.path.join(path, "cgroup.controllers")):
            return path
    return None


def parents():
    """kind -> folder under which our groups go, for each usable kind:
    "v2" (unified hierarchy), "memory", "pids", "freezer" (v1)."""
    own = _own_paths()
    out = {}
    v2 = _v2_mount()
    if v2 is not None and "" in own:
        out["v2"] = os.path.join(v2, own[""].lstrip("/"))
    for ctrl in ("memory", "pids", "freezer"):
        mount = os.path.join(ROOT, ctrl)
        if ctrl in own and os.path.exists(os.path.join(mount, "cgroup.procs")):
            out[ctrl] = os.path.join(mount, own[ctrl].lstrip("/"))
    return out


class TreeGroup:
    """The control groups of one child (possibly none: then nothing holds
    but the rlimits; see ``limits_held``)."""

    def __init__(self):
        self.dirs = {}                 # kind -> group folder
        self.limits_held = ()          # "memory", "pids" once set
        self.memory_bytes = None
        self.v2_controllers = set()
        name = f"{PREFIX}{os.getpid()}-{next(_COUNTER)}"
        if os.geteuid() != 0:
            return
        for kind, parent in parents().items():
            if kind == "freezer" and "v2" in self.dirs and self._v2_can_kill():
                continue
            path = os.path.join(parent, name)
            try:
                os.mkdir(path, 0o755)
            except OSError:
                continue
            self.dirs[kind] = path
        self.v2_controllers = self._v2_controllers()

    def _v2_can_kill(self):
        return os.path.exists(os.path.join(self.dirs["v2"], "cgroup.kill"))

    def _v2_controllers(self):
        """The v2 controllers active in our group: only those the parent
        hands down (we never change the parent's settings ourselves)."""
        path = self.dirs.get("v2")
        return set(read_text(os.path.join(path, "cgroup.controllers")).split()) if path else set()

    def procs_files(self):
        """The cgroup.procs files the child's boot process joins."""
        return [os.path.join(d, "cgroup.procs") for d in self.dirs.values()]

    def oom_file(self):
        """The file whose oom_kill count rises when the group's OOM killer acts."""
        if "memory" in self.v2_controllers:
            return os.path.join(self.dirs["v2"], "memory.events")
        if "memory" in self.dirs:
            return os.path.join(self.dirs["memory"], "memory.oom_control")
        return None

    def set_limits(self, memory_bytes, processes):
        """Limit the tree; returns the limits that hold ("memory", "pids").
        A limit holds when its main file was written; the swap file is an
        extra that not every kernel has."""
        v2 = self.dirs.get("v2")
        tries = []
        if "memory" in self.v2_controllers:
            tries.append(("memory", v2, "memory.max", "memory.swap.max", 0))
        elif "memory" in self.dirs:
            tries.append(("memory", self.dirs["memory"], "memory.limit_in_bytes",
                          "memory.memsw.limit_in_bytes", memory_bytes))
        if "pids" in self.v2_controllers:
            tries.append(("pids", v2, "pids.max", None, None))
        elif "pids" in self.dirs:
            tries.append(("pids", self.dirs["pids"], "pids.max", None, None))
        held = []
        for what, folder, main, extra, extra_value in tries:
            try:
                _write(os.path.join(folder, main),
                       str(memory_bytes if what == "memory" else processes))
            except OSError:
                continue
            held.append(what)
            if extra is not None and os.path.exists(os.path.join(folder, extra)):
                try:
                    _write(os.path.join(folder, extra), str(extra_value))
                except OSError:
                    pass
        self.limits_held = tuple(held)
        self.memory_bytes = memory_bytes if "memory" in held else None
        return self.limits_held

    def oom_kills(self):
        """How many processes the group's OOM killer has killed."""
        path = self.oom_file()
        if path is None:
            return 0
        return oom_count(read_text(path))

    def kill(self):
        """Kill every process in the groups and wait until none is left."""
        kill_groups(self.dirs)

    def remove(self):
        """Kill what is left and remove the groups."""
        if self.dirs:
            self.kill()
            remove_dirs(list(self.dirs.values()))
        self.dirs = {}


def oom_count(text):
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "oom_kill" and parts[1].isdigit():
            return int(parts[1])
    return 0


def group_pids(dirs):
    """The processes in a set of groups."""
    found = set()
    for d in dirs.values():
        found |= {int(w) for w in read_text(os.path.join(d, "cgroup.procs")).split() if w.isdigit()}
    return found


def signal_all(pids, sig):
    """Send sig to each process, ignoring those already gone."""
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def kill_groups(dirs):
    """SIGKILL everything in a set of groups: v2 cgroup.kill, else freeze
    (v1 freezer) and kill each process until the groups are empty."""
    v2 = dirs.get("v2")
    if v2 is not None and os.path.exists(os.path.join(v2, "cgroup.kill")):
        try:
            _write(os.path.join(v2, "cgroup.kill"), "1")
        except OSError:
            pass
    freezer = dirs.get("freezer")
    if freezer is not None:
        try:
            _write(os.path.join(freezer, "freezer.state"), "FROZEN")
        except OSError:
            freezer = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pids = group_pids(dirs) - {os.getpid()}
        if not pids:
            break
        signal_all(pids, signal.SIGKILL)
        if freezer is not None:
            try:
                _write(os.path.join(freezer, "freezer.state"), "THAWED")
            except OSError:
                pass
        time.sleep(0.005)


def remove_dirs(paths):
    """rmdir groups, retrying a moment while their last processes exit."""
    pending = list(paths)
    deadline = time.monotonic() + 3
    while pending:
        left = []
        for path in pending:
            try:
                os.rmdir(path)
            except FileNotFoundError:
                pass
            except OSError:
                left.append(path)
        pending = left
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.005)


def pid_alive(pid):
    """Whether a process runs (a zombie does not: its files and locks are
    already released, and its reaper may be slow)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def _owner_alive(name):
    """Whether the grading process named in a group's name still runs."""
    try:
        pid = int(name[len(PREFIX):].split("-", 1)[0])
    except ValueError:
        return True
    return pid == os.getpid() or pid_alive(pid)


def sweep_stale():
    """Kill and remove the groups of grading processes that died (kill -9)
    without removing them."""
    if os.geteuid() != 0:
        return
    stale = {}
    for kind, parent in parents().items():
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            if name.startswith(PREFIX) and not _owner_alive(name):
                stale.setdefault(name, {})[kind] = os.path.join(parent, name)
    for dirs in stale.values():
        kill_groups(dirs)
        remove_dirs(list(dirs.values()))
