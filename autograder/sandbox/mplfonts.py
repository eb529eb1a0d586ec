"""The grading user's matplotlib font list, given to each sandboxed child.

Importing matplotlib.pyplot reads ``fontlist-v<version>.json`` from
matplotlib's cache folder and, when it is missing, scans every font of the
machine to write it (about 0.15 s here, more with many fonts installed).
Each child starts with an empty MPLCONFIGDIR of its own, so every
submission that plots would pay that scan. The grading user's own cache is
written by the grading user's matplotlib only, never by a submission
(children run as other users, in a private root); the launcher sends it in
the setup request and the worker writes a copy into the child's
MPLCONFIGDIR before any submission code runs. A child can change only its
own copy. When the grading user has none, it is built once, by a trusted
subprocess of this environment (``python -I``: no current folder on the
path, so no submission file can stand in for matplotlib).

    python -m autograder.sandbox.mplfonts     # build it now (Gradescope's setup.sh does)
"""

import os
import re
import stat
import sys
from importlib.util import find_spec
from pathlib import Path

NAME = re.compile(r"fontlist-v[0-9A-Za-z_.]{1,40}\.json")
MAX_BYTES = 8 << 20          # all font lists together; past that the child scans itself
_found = None


def cache_dir():
    """matplotlib's cache folder for this process's user, by matplotlib's own
    rule on Linux ($MPLCONFIGDIR, else $XDG_CACHE_HOME/matplotlib, else
    ~/.cache/matplotlib), without importing matplotlib."""
    configured = os.environ.get("MPLCONFIGDIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"


def _read():
    """[(name, bytes)] of the font lists in cache_dir(): regular files only, links not followed."""
    found, total, folder = [], 0, cache_dir()
    try:
        names = sorted(n for n in os.listdir(folder) if NAME.fullmatch(n))
    except OSError:
        return []
    for name in names:
        try:
            fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            data = f.read(MAX_BYTES + 1)
        total += len(data)
        if total > MAX_BYTES:
            return []
        found.append((name, data))
    return found


def build():
    """Have matplotlib write the grading user's font list; True when matplotlib ran."""
    import subprocess

    if find_spec("matplotlib") is None:
        return False
    try:
        return subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"],
                              cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=600).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def font_lists():
    """[(file name, bytes)]: the grading user's matplotlib font lists, built
    once when missing; [] without matplotlib. Looked up once per process."""
    global _found
    if _found is None:
        files = _read()
        if not files and build():
            files = _read()
        _found = files
    return _found


def main():
    files = font_lists()
    where = cache_dir()
    if not files:
        print(f"no matplotlib font list in {where} (is matplotlib installed?)", file=sys.stderr)
        return 1
    print(f"matplotlib font list ready: {', '.join(str(where / name) for name, _ in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
