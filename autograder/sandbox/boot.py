"""Child side: the first code the sandbox process runs (stdlib only).

argv (after -c): import_root site_dirs rfd wfd errfd supervise groups oom

groups: ":"-separated cgroup.procs files (cgroups.py) this process joins
first, so that everything it starts is in the child's control groups;
oom: the group's OOM counter file the supervisor watches ("-": none).

With namespaces, launcher.py runs ``unshare --mount --net --pid [--user
--map-root-user] python -I -S -B -c BOOT ...``: this process is then in the
new mount and network namespaces but not in the new PID namespace; its
first child is PID 1 there. So it forks:

- the child becomes the worker (PID 1 of the namespace): its stderr
  becomes the student's stderr pipe, then worker.main takes over;
- this process stays as a small trusted supervisor that never runs
  student code: it waits for the worker and ends the same way (exit
  status, or the same signal), so the grading process learns how the
  worker died. It dies with the grading process (PR_SET_PDEATHSIG), and
  the worker dies with it. When PID 1 of a namespace is reaped, every other process
  of the namespace has already been killed by the kernel, so once the
  supervisor exits nothing of the submission is left.

  When the kernel's OOM killer kills any process of the child's memory
  group (the tree went over the memory limit), the supervisor kills the
  worker too: the submission's call fails as a whole instead of going on
  with some of its processes missing.

Without namespaces (isolation "none") there is no supervisor.
"""

import os
import resource
import select
import signal
import sys


def main(argv):
    import_root, site_dirs, rfd, wfd, errfd, supervise, groups, oom = argv
    rfd, wfd, errfd = int(rfd), int(wfd), int(errfd)
    _join_groups(groups, errfd)
    _new_session_keyring(errfd)
    if supervise == "1":
        from autograder.sandbox.confine import die_with_parent
        die_with_parent()         # a killed grading process leaves nothing running
        pid = os.fork()
        if pid != 0:
            _supervise(pid, (rfd, wfd, errfd), None if oom == "-" else oom)
    os.dup2(errfd, 2)
    os.close(errfd)
    sys.path += [p for p in site_dirs.split(":") if p]
    from autograder.sandbox.worker import main as worker_main
    worker_main(import_root, rfd, wfd)


def _join_groups(groups, errfd):
    """Enter the child's control groups; no limit may silently be missing."""
    for path in [p for p in groups.split(":") if p]:
        try:
            with open(path, "w") as f:
                f.write(str(os.getpid()))
        except OSError as exc:
            os.write(errfd, f"could not join control group {path}: {exc}\n".encode())
            os._exit(1)


def _new_session_keyring(errfd):
    """The child and everything it starts get a session keyring of their
    own instead of the grading process's (see confine.py)."""
    from autograder.sandbox.confine import ConfineError, join_new_session_keyring
    try:
        join_new_session_keyring()
    except ConfineError as exc:
        os.write(errfd, f"{exc}\n".encode())
        os._exit(1)


def _wait(pid, oom):
    """Wait for the worker; kill it once the group's OOM killer has acted."""
    if oom is None:
        while True:
            try:
                return os.waitpid(pid, 0)[1]
            except InterruptedError:
                continue
    from autograder.sandbox.cgroups import oom_count, read_text
    pidfd = os.pidfd_open(pid)
    while True:
        ready, _, _ = select.select([pidfd], [], [], 0.05)
        if not ready and oom_count(read_text(oom)) > 0:
            os.kill(pid, signal.SIGKILL)
        if ready:
            return os.waitpid(pid, 0)[1]


def _supervise(pid, fds, oom):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("-1000")     # the OOM killer picks the submission's processes
    except OSError:
        pass
    for fd in fds:
        os.close(fd)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)      # only SIGKILL from the grader ends us early
    status = _wait(pid, oom)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.waitstatus_to_exitcode(status))
