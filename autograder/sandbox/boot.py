"""Child side: the first code the sandbox process runs (stdlib only).

argv (after -c): import_root site_dirs rfd wfd errfd supervise

With namespaces, launcher.py runs ``unshare --mount --net --pid [--user
--map-root-user] python -I -S -B -c BOOT ...``: this process is then in the
new mount and network namespaces but not in the new PID namespace; its
first child is PID 1 there. So it forks:

- the child becomes the worker (PID 1 of the namespace): its stderr
  becomes the student's stderr pipe, then worker.main takes over;
- this process stays as a small trusted supervisor that never runs
  student code: it waits for the worker and ends the same way (exit
  status, or the same signal), so the grading process learns how the
  worker died. When PID 1 of a namespace is reaped, every other process
  of the namespace has already been killed by the kernel, so once the
  supervisor exits nothing of the submission is left.

Without namespaces (isolation "none") there is no supervisor.
"""

import os
import resource
import signal
import sys


def main(argv):
    import_root, site_dirs, rfd, wfd, errfd, supervise = argv
    rfd, wfd, errfd = int(rfd), int(wfd), int(errfd)
    if supervise == "1":
        pid = os.fork()
        if pid != 0:
            _supervise(pid, (rfd, wfd, errfd))
    os.dup2(errfd, 2)
    os.close(errfd)
    sys.path += [p for p in site_dirs.split(":") if p]
    from autograder.sandbox.worker import main as worker_main
    worker_main(import_root, rfd, wfd)


def _supervise(pid, fds):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for fd in fds:
        os.close(fd)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)      # only SIGKILL from the grader ends us early
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
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
