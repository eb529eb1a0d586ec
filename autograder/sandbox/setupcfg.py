"""Parent side: the setup request, what a child builds before any submission code runs.

``config(child, limits, preload)`` is the first request's "cfg": the
child's user and kernel state (spawn.identity), its private root (the
folders bound into it read-only, as here, and the paths hidden inside them:
the grader, the answer key, the packages of forbidden imports), its limits,
the grading user's matplotlib font lists (mplfonts.py) and the modules to
import once confined (worker.setup). Without numpy, so that a platform's
entry point can send a child its setup before numpy and the grader load
(spawn.prestart with a setup).
"""

import os
import sys
from importlib.util import find_spec
from pathlib import Path

from .mplfonts import font_lists
from .spawn import _site_dirs, identity

PACKAGE_DIR = Path(__file__).resolve().parent           # .../autograder/sandbox
AUTOGRADER_DIR = PACKAGE_DIR.parent                      # .../autograder
IMPORT_ROOT = AUTOGRADER_DIR.parent                      # holds the autograder package
# folders of the repository that hold the answer key and grader data
SECRET_DIRS = ("solutions", "autograder", "tests", "assignments", "bench")


def _repo_root():
    """The repository folder holding the autograder, or None when installed."""
    root = IMPORT_ROOT
    if (root / "pyproject.toml").is_file() or (root / "solutions").is_dir():
        if root.name not in ("site-packages", "dist-packages"):
            return root
    return None


def _venv_dir():
    return os.path.abspath(sys.prefix) if sys.prefix != sys.base_prefix else None


def _hidden_paths(forbidden=()):
    """Paths the child must not see even if they lie in a bound folder:
    the grader, the answer key, and the packages of ``forbidden`` imports."""
    from .imports import forbidden_paths
    hide = list(forbidden_paths(tuple(forbidden), tuple(_site_dirs().split(":"))))
    repo = _repo_root()
    venv = _venv_dir()
    if repo is not None:
        for entry in sorted(os.listdir(repo)):
            path = os.path.join(str(repo), entry)
            if venv is None or not (venv == path or venv.startswith(path + "/")):
                hide.append(path)
        hide += [os.path.join(str(repo), d) for d in SECRET_DIRS]
    hide.append(str(AUTOGRADER_DIR))
    for site in _site_dirs().split(":"):
        if site:
            hide += [os.path.join(site, "solutions"), os.path.join(site, "autograder")]
    try:
        import importlib.util
        spec = importlib.util.find_spec("solutions")
        for loc in (spec.submodule_search_locations or []) if spec else []:
            hide.append(os.path.abspath(loc))
    except (ImportError, ValueError):
        pass
    out = []
    for p in hide:
        for q in (p, os.path.realpath(p)):
            if q not in out:
                out.append(q)
    return out


def _allowed_bind(path, repo, venv):
    if not os.path.isabs(path) or path == "/" or not os.path.exists(path):
        return False
    if repo is not None:
        repo = str(repo)
        if repo == path or repo.startswith(path.rstrip("/") + "/"):
            return False       # the repository or one of its parents
        if path.startswith(repo + "/"):
            return venv is not None and (path == venv or path.startswith(venv + "/"))
    return True


def _bind_paths():
    """The Python installation, the environment and numpy, as the child
    must see them (same paths as here)."""
    repo = _repo_root()
    venv = _venv_dir()
    cands = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(os.path.dirname(find_spec("numpy").origin))]
    cands += [p for p in sys.path
              if p and os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")]
    out = []
    for c in cands:
        for p in (os.path.abspath(c), os.path.realpath(c)):
            if p not in out and _allowed_bind(p, repo, venv):
                out.append(p)
    return sorted(out, key=len)


def config(child, limits, preload=()):
    """(cfg, blobs) of a child's setup request: blobs are the font lists' bytes."""
    who = identity(child, limits)       # uid, user, kernel state; limits the process tree
    processes = who.pop("processes")
    fonts = font_lists()
    cfg = {
        **who, "mode": child.mode, "root": child.tmpdir, "cwd": child.tmpdir,
        "binds": _bind_paths(), "hide": _hidden_paths(limits.forbidden_imports),
        "forbidden": list(limits.forbidden_imports),
        "tmp_bytes": limits.tmp_bytes, "message_bytes": limits.message_bytes,
        "rlimits": {"memory_bytes": limits.memory_bytes, "file_bytes": limits.file_bytes,
                    "open_files": limits.open_files, "processes": processes,
                    "cpu_seconds": limits.cpu_seconds},
        "fonts": [name for name, _ in fonts], "preload": list(preload),
    }
    return cfg, [data for _, data in fonts]
