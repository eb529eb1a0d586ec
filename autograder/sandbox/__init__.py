"""Run a submission's code in a confined child process.

    from autograder.sandbox import SandboxedStudent, Limits

    with SandboxedStudent("alice.ipynb", limits=Limits()) as student:
        student.load                 # LoadReport (ok, reason, notes, functions)
        student.has("rnn_forward")   # bool
        out = student.call("rnn_forward", x, h0, W_xh, W_hh, b_h)   # Outcome

The grading process never imports or runs submission code: it reads and
validates the file itself (notebook.py), and the code runs in one child
process per submission, kept alive across calls. Arguments and results
cross a dedicated pipe as data only (protocol.py: JSON plus .npy bytes,
never pickle); anything else stays in the child behind a StudentRef.

Isolation modes (Limits.isolation, "auto" picks the first available):

"root" (the grader runs as root; what ``rnngrade`` does on the CI machine)
  - new mount, network, PID and IPC namespaces (``unshare``); the worker is
    PID 1 of its namespace, so killing it kills everything the submission
    started; System V shared memory, message queues and semaphores are the
    child's own and are destroyed with it
  - a private root file system (chroot): read-only system folders, the
    Python installation and the virtual environment; nothing else of the
    machine: not the repository (answer key, tests, grader data, .git),
    not the grader's output folder, not other users' files
  - a private, size-limited /tmp as working folder and a private /dev/shm,
    gone with the namespace
  - no network at all (only a loopback interface that is down)
  - a uid of its own (600000 + a slot leased with flock, uids.py): no
    running submission shares a uid with another, so none shares a user
    keyring or RLIMIT_NPROC; a session keyring of its own; the uid's user
    keyrings are cleared when the child ends and again before the uid's
    next use. No supplementary groups, no capabilities, no new privileges
  - control groups (cgroups.py, where the machine has them: v2 with the
    memory/pids controllers handed down, else v1 memory and pids): the
    memory (no swap) and the processes of the whole process tree are
    limited together; when the OOM killer acts in the group, the whole
    child is killed and the call fails saying the memory limit was hit
  - rlimits per process: address space, CPU time, file size, open files,
    processes
  - minimal environment, ``python -I -S``; stdout/stderr captured, capped
"userns" (not root, but unprivileged user namespaces are allowed)
  - the same namespaces (IPC included) and private root; instead of a uid
    of its own the child keeps uid 0 of its own user namespace with every
    capability dropped (bounding set emptied, securebits locked), which
    confers nothing; its user keyring belongs to that user namespace and
    its session keyring is its own
  - no control groups (creating them needs root): memory and processes
    are limited per process by rlimits only
"none" (neither): a separate process with rlimits, a minimal environment,
  ``python -I -S``, its own process group and a temporary working folder;
  its descendants are frozen and killed at the end; its own session
  keyring. It can read whatever the grading user can, use the network,
  signal the user's processes, and shares System V IPC, /dev/shm, /tmp
  and the user keyring with the grading user and every other submission.
  As root, mode "none" still gets a uid of its own, an IPC namespace
  (``unshare --ipc``), the control groups, and what its uid left in /tmp,
  /var/tmp and /dev/shm is deleted when it ends; concurrent submissions
  can still exchange files there (no mount namespace).

Every mode: the working folder (``<tmp>/rnngrade-sandbox-<pid>-*``) and
control groups (``rnngrade-<pid>-<n>``) are removed when the child ends;
a grading process killed before it could clean up leaves them to the next
one, which removes those whose owner is dead (reap.sweep_stale).

``student.protections`` lists what was in place for a submission.

Modules: limits (Limits), notebook (reading .py/.ipynb in the parent),
frames (the wire format's framing) and protocol (its values), setupcfg
(the setup request a child gets first), launcher (SandboxedStudent, the
parent side), spawn (starting and ending children; ``prestart`` with
limits sends a spare its setup at once, before numpy loads), reap (what a child leaves:
processes, folders, keyrings, stale leftovers), uids (a uid per child),
cgroups (limits of the process tree), mplfonts (the grading user's
matplotlib font list, copied into each child so that it does not scan the
machine's fonts again), boot, worker and confine (the child side only).
"""

__all__ = ["SandboxedStudent", "StudentRef", "SandboxError", "Limits", "isolation_mode",
           "prestart", "discard_spares"]


def __getattr__(name):
    # lazy, so that the child (which imports autograder.sandbox.worker) does
    # not load the parent-side modules
    if name == "Limits":
        from autograder.sandbox.limits import Limits
        return Limits
    if name in ("SandboxedStudent", "StudentRef", "SandboxError", "isolation_mode",
                "prestart", "discard_spares"):
        from autograder.sandbox import launcher
        return getattr(launcher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
