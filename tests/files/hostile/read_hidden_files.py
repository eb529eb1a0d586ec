"""Tries to import the answer key and read hidden files.

Trick: `import solutions` (also through the editable-install finder in
site-packages), then guesses folders: ../, the repository found from
numpy.__file__ and sys.prefix, /proc/<ppid>/cwd, /proc/1/cwd, /srv, /opt,
the environment, and reads any .py/.json/.csv under solutions/, tests/,
autograder/, assignments/, bench/ and .git/. In the sandbox the repository
is not visible at all (chroot), the environment is minimal, and /proc shows
only the child's own processes.
"""
import importlib
import os
import sys

import numpy as np

SECRET_NAMES = ("solutions", "tests", "autograder", "assignments", "bench", ".git")


def _guesses():
    roots = {os.getcwd(), os.path.abspath(".."), os.path.expanduser("~"),
             "/root", "/home", "/srv", "/opt", "/tmp"}
    p = os.path.dirname(np.__file__)
    while p not in ("/", ""):
        roots.add(p)
        p = os.path.dirname(p)
    p = sys.prefix
    for _ in range(4):
        p = os.path.dirname(p)
        roots.add(p)
    for link in ("/proc/%d/cwd" % os.getppid(), "/proc/1/cwd", "/proc/self/cwd", "/proc/1/root"):
        try:
            roots.add(os.path.realpath(link))
        except OSError:
            pass
    for value in os.environ.values():
        if value.startswith("/"):
            roots.add(value)
    return sorted(roots)


def try_import():
    """Whether the answer key can be imported."""
    results = {}
    try:
        import solutions
        results["import"] = getattr(solutions, "__file__", "?")
    except Exception as exc:
        results["import"] = type(exc).__name__
    for entry in list(sys.meta_path):
        pass
    try:
        finder = importlib.import_module("__editable___rnn_gradients_assignment_0_1_0_finder")
        finder.install()
        import solutions  # noqa: F811
        results["editable"] = getattr(solutions, "__file__", "?")
    except Exception as exc:
        results["editable"] = type(exc).__name__
    return results


def find_hidden():
    """Every readable file under a secret-looking folder of every guess."""
    found = []
    for root in _guesses():
        for name in SECRET_NAMES:
            folder = os.path.join(root, name)
            try:
                for dirpath, dirnames, filenames in os.walk(folder):
                    for fn in filenames:
                        path = os.path.join(dirpath, fn)
                        try:
                            with open(path, "rb") as f:
                                f.read(100)
                            found.append(path)
                        except OSError:
                            pass
                    if len(found) > 200:
                        return found
            except OSError:
                pass
    return found


def environment():
    return dict(os.environ)


def visible_roots():
    """What the file system looks like: /, and each parent of the environment."""
    roots = {"/", "/root", "/home"}
    p = sys.prefix
    while p not in ("/", ""):
        roots.add(p)
        p = os.path.dirname(p)
    return {root: sorted(os.listdir(root)) if os.path.isdir(root) else None
            for root in sorted(roots) if os.path.exists(root)}


def whoami():
    return {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(),
            "groups": os.getgroups(), "pid": os.getpid(), "ppid": os.getppid(),
            "cwd": os.getcwd(), "pidns": os.readlink("/proc/self/ns/pid")}


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----
