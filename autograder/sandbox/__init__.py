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
  - new mount, network and PID namespaces (``unshare``); the worker is PID 1
    of its namespace, so killing it kills everything the submission started
  - a private root file system (chroot): read-only system folders, the
    Python installation and the virtual environment; nothing else of the
    machine: not the repository (answer key, tests, grader data, .git),
    not the grader's output folder, not other users' files
  - a private, size-limited /tmp as working folder, gone with the namespace
  - no network at all (only a loopback interface that is down)
  - user nobody, no supplementary groups, no capabilities, no new
    privileges (setuid binaries do nothing)
  - rlimits: address space, CPU time, file size, open files, processes
  - minimal environment, ``python -I -S``; stdout/stderr captured, capped
"userns" (not root, but unprivileged user namespaces are allowed)
  - the same namespaces and private root; instead of user nobody the child
    keeps uid 0 of its own user namespace with every capability dropped
    (bounding set emptied, securebits locked), which confers nothing
"none" (neither): a separate process with rlimits, a minimal environment,
  ``python -I -S``, its own process group and a temporary working folder;
  its descendants are frozen and killed at the end. It can read whatever
  the grading user can, use the network, and signal the user's processes.
  As root, mode "none" still drops to user nobody.

``student.protections`` lists what was in place for a submission.

Modules: limits (Limits), notebook (reading .py/.ipynb in the parent),
protocol (frames and values), launcher (SandboxedStudent, the parent side),
boot, worker and confine (the child side only).
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
