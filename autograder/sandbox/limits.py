"""The limits a sandboxed submission runs under (instructor-configurable).

Every field has a default that suits this assignment; an assignment config
can override any of them with ``Limits.from_mapping({...})``, which rejects
unknown names and wrong types instead of ignoring them.
"""

from dataclasses import dataclass, fields

from .imports import DEFAULT_FORBIDDEN, valid_name

MiB = 1024 * 1024
GiB = 1024 * MiB

ISOLATION_MODES = ("auto", "root", "userns", "none")


@dataclass(frozen=True)
class Limits:
    """Limits of one submission's child process.

    Times are wall-clock seconds measured by the grading process.
    - call_seconds: one function call
    - submission_seconds: everything the submission's code runs for
      (loads, reloads after a crash, and all calls)
    - load_seconds: running the submission's cells/module once
    - memory_bytes: address space of each process (RLIMIT_AS) and, as
      root where control groups exist, the memory of the child's whole
      process tree together (cgroup memory limit, no swap)
    - cpu_seconds: CPU time of the child process (RLIMIT_CPU)
    - file_bytes: largest file the child may write (RLIMIT_FSIZE)
    - open_files: file descriptors (RLIMIT_NOFILE)
    - processes: processes/threads of the child's user (RLIMIT_NPROC;
      only effective for a non-root user, i.e. after dropping to the
      child's own uid) and, as root where control groups exist, of its
      whole process tree (pids controller)
    - output_bytes: stdout + stderr kept from the child; the rest is dropped
    - tmp_bytes: size of the child's private /tmp (namespace modes only)
    - message_bytes: largest reply the grading process accepts from the child
    - submission_bytes: largest submission file that is read at all
    - max_restarts: fresh children started after crashes and timeouts
    - isolation: "auto" (best available), "root" (namespaces + chroot +
      a uid of its own + control groups; needs root), "userns" (unprivileged user namespace +
      chroot, capabilities dropped) or "none" (rlimits and process group only)
    - forbidden_imports: module names (tuple of str) the submission may not
      import (autodiff libraries; see imports.py)
    """
    call_seconds: float = 10.0
    submission_seconds: float = 60.0
    load_seconds: float = 30.0
    memory_bytes: int = 2 * GiB
    cpu_seconds: int = 60
    file_bytes: int = 16 * MiB
    open_files: int = 64
    processes: int = 64
    output_bytes: int = 1 * MiB
    tmp_bytes: int = 64 * MiB
    message_bytes: int = 64 * MiB
    submission_bytes: int = 16 * MiB
    max_restarts: int = 20
    isolation: str = "auto"
    forbidden_imports: tuple = DEFAULT_FORBIDDEN   # module names a submission may not import

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "forbidden_imports":
                ok = isinstance(value, tuple) and all(valid_name(v) for v in value)
            elif f.type in (float, "float"):
                ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
            elif f.type in (int, "int"):
                ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else:
                ok = isinstance(value, str) and value in ISOLATION_MODES
            if not ok:
                raise ValueError(f"Limits.{f.name}: invalid value {value!r}")

    @classmethod
    def from_mapping(cls, mapping):
        """Limits from a config mapping; unknown keys raise ValueError."""
        if not isinstance(mapping, dict):
            raise ValueError("limits must be a mapping")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(map(str, unknown))}")
        return cls(**mapping)
