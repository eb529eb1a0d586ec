"""The hostile submissions, composed: each tests/files/hostile/*.py holds only
its trick; the honest all-zeros functions (tests/files/zeros.py) are inserted
at its marker line, and what follows the marker overrides them.

    hostile_dir()      a temporary folder with every fixture as a full submission
    zeros_source()     the honest all-zeros submission (the cheats' twin)
"""

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

FILES = Path(__file__).parent / "files"
HOSTILE_SOURCES = FILES / "hostile"
MARKER = "# ---- tests/files/zeros.py goes here"


def zeros_source():
    return (FILES / "zeros.py").read_text(encoding="utf-8")


def compose(path):
    """A fixture's bytes as a full submission (unchanged if it has no marker)."""
    data = Path(path).read_bytes()
    marker = MARKER.encode()
    if path.suffix != ".py" or marker not in data:
        return data
    head, _, tail = data.partition(marker)
    _, _, tail = tail.partition(b"\n")
    return head + zeros_source().encode("utf-8") + b"\n\n" + tail


@functools.lru_cache(maxsize=None)
def hostile_dir():
    """Every hostile fixture, composed, in one temporary folder (removed at exit)."""
    d = Path(tempfile.mkdtemp(prefix="hostile-"))
    atexit.register(shutil.rmtree, d, True)
    for src in sorted(HOSTILE_SOURCES.iterdir()):
        if src.is_file():
            (d / src.name).write_bytes(compose(src))
    return d
