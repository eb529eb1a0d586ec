"""Run one command and measure it: wall time, exit status, memory.

    m = run(["rnngrade", "grade", folder, "--jobs", "2", "--json"])
    m.seconds, m.returncode, m.stdout, m.peak_tree_mib, m.max_rss_mib

Two memory figures, because they answer different questions:

- ``peak_tree_mib``: the largest total memory of the whole process tree
  (the command and every descendant alive at that moment), sampled every
  ``interval`` seconds with psutil. Each process counts its PSS
  (proportional set size: shared pages split between the processes that
  share them, so forked workers are not counted twice); where PSS cannot be
  read, its RSS. Sampling can miss a spike shorter than the interval.
- ``max_rss_mib``: the largest resident set of any single process of the
  tree, from the kernel: ``os.wait4`` on the command returns its rusage,
  whose ``ru_maxrss`` is the maximum over the command and all descendants it
  waited for (what ``/usr/bin/time -v`` reports as "Maximum resident set
  size", and what ``resource.getrusage(RUSAGE_CHILDREN)`` would accumulate).
  It is exact but says nothing about the sum over parallel workers.
"""

import os
import select
import subprocess
import threading
import time
from dataclasses import dataclass

import psutil

MIB = 1024 * 1024


@dataclass
class Measurement:
    command: list
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_tree_mib: float
    max_rss_mib: float
    timed_out: bool = False
    cpu_seconds: float = 0.0      # user + system time of the command and every descendant it waited for


def _tree_memory(root):
    """Total PSS (else RSS) in bytes of root and its living descendants."""
    try:
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            try:
                total += p.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid, interval):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()
        try:
            self._root = psutil.Process(pid)
        except psutil.Error:
            self._root = None

    def run(self):
        while self._root is not None and not self._stop_event.is_set():
            self.peak = max(self.peak, _tree_memory(self._root))
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()


def run(command, cwd=None, env=None, timeout=None, interval=0.1):
    """Run command to completion and measure it (see the module docstring).

    interval: seconds between memory samples; None samples nothing (a wall
    time of about a second is then not disturbed by the sampler's reads;
    peak_tree_mib is 0).

    stdout and stderr are captured to temporary files (not pipes, so a
    chatty command never blocks). On timeout the command's process group is
    killed and ``timed_out`` is set.
    """
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        sampler = _Sampler(proc.pid, interval) if interval else None
        if sampler is not None:
            sampler.start()
        timed_out = False
        # woken by the process's pidfd the moment it ends (no polling delay)
        pidfd = os.pidfd_open(proc.pid)
        try:
            ended, _, _ = select.select([pidfd], [], [], timeout)
        finally:
            os.close(pidfd)
        if not ended:
            timed_out = True
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if sampler is not None:
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)   # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux.
    return Measurement(command=[str(c) for c in command], seconds=seconds, returncode=proc.returncode,
                       stdout=stdout, stderr=stderr, peak_tree_mib=sampler.peak / MIB if sampler else 0.0,
                       max_rss_mib=usage.ru_maxrss / 1024, timed_out=timed_out,
                       cpu_seconds=usage.ru_utime + usage.ru_stime)
