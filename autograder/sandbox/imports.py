"""Forbidden imports: autodiff libraries a submission may not use (stdlib only).

The assignment asks students to derive backprop by hand with numpy, so the
libraries that compute gradients for them are refused, in two layers:

- forbidden_paths (grading process): the folders, single-module files and
  .dist-info folders of those packages in every site folder the child can
  see. In the namespace modes ("root", "userns") launcher.py hides them (an
  empty read-only tmpfs on top), so the code is not there at all: removing
  the import hook below gains nothing.
- install (child, before the submission's first line): a sys.meta_path
  finder that refuses the import with a sentence saying which import and
  why. In mode "none" it is the only layer (a determined student can remove
  it there; README says so).

Both take the names from Limits.forbidden_imports (assignment.json's
top-level ``forbidden_imports``).
"""

import functools
import glob
import os
import re
import sys

# Libraries that differentiate for the student (autodiff, or numerical
# differentiation packaged as a library). torch's distribution also ships
# functorch and torchgen: forbidden_paths finds those through top_level.txt.
DEFAULT_FORBIDDEN = (
    "torch", "functorch", "jax", "jaxlib", "tensorflow", "keras", "autograd",
    "mxnet", "paddle", "mindspore", "theano", "pytensor", "aesara", "chainer",
    "tinygrad", "mlx", "numdifftools",
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def valid_name(name):
    """Is ``name`` a module name ("torch", "jax.numpy")?"""
    return isinstance(name, str) and bool(_NAME.match(name))


def refusal(name):
    """The sentence a student reads when an import is refused."""
    return (f"`import {name}` is not allowed in this assignment: it computes gradients for you, "
            "and the assignment asks you to derive backprop by hand with numpy")


class ImportGuard:
    """A meta path finder that refuses the forbidden modules and their submodules."""

    def __init__(self, names):
        self.names = frozenset(names)

    def _refused(self, fullname):
        parts = fullname.split(".")
        for i in range(1, len(parts) + 1):
            if ".".join(parts[:i]) in self.names:
                return ".".join(parts[:i])
        return None

    def find_spec(self, fullname, path=None, target=None):
        refused = self._refused(fullname)
        if refused is not None:
            raise ModuleNotFoundError(refusal(refused), name=fullname)
        return None

    def invalidate_caches(self):
        return None


def install(names):
    """Put an ImportGuard first on sys.meta_path (no-op without names)."""
    names = tuple(n for n in names if valid_name(n))
    if names:
        sys.meta_path.insert(0, ImportGuard(names))
        for name in list(sys.modules):       # nothing forbidden may stay importable from the cache
            if name.split(".")[0] in {n.split(".")[0] for n in names}:
                del sys.modules[name]


def _site_folders(extra):
    """Every site-packages/dist-packages folder a child might reach."""
    pattern_roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                     "/usr", "/usr/local"}
    found = [d for d in extra if d]
    for root in sorted(pattern_roots):
        for kind in ("site-packages", "dist-packages"):
            found += glob.glob(os.path.join(root, "lib*", "python3*", kind))
            found += glob.glob(os.path.join(root, "lib*", "python3", kind))
    out, real = [], set()
    for d in found:
        d = os.path.abspath(d)
        if os.path.realpath(d) not in real and os.path.isdir(d):
            real.add(os.path.realpath(d))
            out.append(d)
    return out


def _normalise(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _distributions(site, listing, tops):
    """(.dist-info/.egg-info folder, its top-level names) of the distributions
    in ``site`` (``listing``: its entries) that provide one of ``tops`` or are
    named after one."""
    wanted = {_normalise(t) for t in tops}
    out = []
    for name in listing:
        if not name.endswith((".dist-info", ".egg-info")) or name.startswith("."):
            continue
        info = os.path.join(site, name)
        project = _normalise(name.split("-")[0])
        provided = set()
        try:
            with open(os.path.join(info, "top_level.txt"), encoding="utf-8") as f:
                provided = {line.strip() for line in f if valid_name(line.strip())}
        except OSError:
            pass
        if project in wanted or {_normalise(p) for p in provided} & wanted:
            out.append((info, provided))
    return out


def _module_entries(site, listing, top):
    """The folder, .py file and extension modules (``top.so``, ``top.*.so``) of a
    top-level name in ``site`` (``listing``: its entries)."""
    exact = {top, top + ".py", top + ".libs", top + ".so"}
    return [os.path.join(site, name) for name in listing
            if name in exact or (name.startswith(top + ".") and name.endswith(".so"))]


@functools.lru_cache(maxsize=8)
def forbidden_paths(names, site_dirs=()):
    """Paths to hide from the child so that ``names`` (tuple) cannot be imported.

    For each top-level forbidden name, in every site folder: its package
    folder, single-module file or extension module, and the .dist-info of
    the distribution that provides it together with that distribution's
    other top-level packages (torch brings functorch and torchgen).
    """
    tops = sorted({n.split(".")[0] for n in names if valid_name(n)})
    if not tops:
        return ()
    out = []
    for site in _site_folders(site_dirs):
        try:
            listing = sorted(os.listdir(site))      # one listing per folder, not a glob per name
        except OSError:
            continue
        targets = set(tops)
        for info, provided in _distributions(site, listing, tops):
            out.append(info)
            targets |= provided
        for top in sorted(targets):
            out += _module_entries(site, listing, top)
    seen = []
    for p in out:
        for q in (p, os.path.realpath(p)):
            if q not in seen:
                seen.append(q)
    return tuple(seen)
