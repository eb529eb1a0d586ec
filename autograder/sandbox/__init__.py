"""Run a submission's code in a confined child process.

    from autograder.sandbox import SandboxedStudent, Limits

    with SandboxedStudent("alice.ipynb", limits=Limits()) as student:
        student.load                 # LoadReport (ok, reason, notes, functions)
        student.has("rnn_forward")   # bool
        out = student.call("rnn_forward", x, h0, W_xh, W_hh, b_h)   # Outcome

Modules: limits (Limits), notebook (parent-side reading of .py/.ipynb),
protocol (frames and data-only value encoding), launcher (parent side:
SandboxedStudent), worker and confine (child side only).

The grading process never imports or runs submission code; the child never
sees the answer key. Names are exported lazily so that the child, which
imports autograder.sandbox.worker, does not load the parent-side modules.
"""

__all__ = ["SandboxedStudent", "StudentRef", "SandboxError", "Limits", "isolation_mode",
           "prestart", "discard_spares"]


def __getattr__(name):
    if name == "Limits":
        from autograder.sandbox.limits import Limits
        return Limits
    if name in ("SandboxedStudent", "StudentRef", "SandboxError", "isolation_mode",
                "prestart", "discard_spares"):
        from autograder.sandbox import launcher
        return getattr(launcher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
