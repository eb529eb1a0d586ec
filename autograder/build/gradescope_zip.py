"""The hardened Gradescope autograder: ``DIR/<lang>/gradescope/autograder.zip``.

Gradescope unzips it into ``/autograder/source``, runs ``setup.sh`` once
when it builds the image, and ``run_autograder`` for every submission. The
zip holds:

    setup.sh            a pinned Python (3.11) and the grader's pinned runtime
                        dependencies in ROOT/venv (pip, from the package
                        index); our package from the wheel into source/lib;
                        then source/ made unreadable to every user but root
                        (no git clone, no network beyond the package index).
                        ROOT is $AUTOGRADER_ROOT, default /autograder (tests
                        run it for real under a temporary root)
    run_autograder      grades submission/ with the sandbox and writes
                        results/results.json (autograder/platforms/gradescope.py);
                        honours AUTOGRADER_ROOT (default /autograder)
    install_lib.sh      the wheel step of setup.sh on its own (tests run it):
                        pip compiles the package's bytecode there, once per
                        image, and the grading user's matplotlib font list is
                        made (autograder.sandbox.mplfonts), so that no
                        submission pays for either
    requirements.txt    numpy, nbformat, ipython and matplotlib (what grading
                        and the student notebook import) pinned to the
                        versions this build ran with
    <wheel>             this repository's package (answer key and checks)
    assignment.json     the assignment config (sandbox limits)
    gradescope.json     {"details": "after_published"}: when students see
                        which output is wrong and the hints

The answer key and hidden checks sit in /autograder/source, readable only
by root. The sandbox's child imports what it needs as root and then runs
the student's code under a uid of its own, which cannot read them; in a
container that refuses namespaces (Docker's default seccomp profile) the
child runs in isolation mode "none", and this is what protects the key.

Building twice gives the same bytes: the wheel is built from a copy of the
sources with SOURCE_DATE_EPOCH fixed, and zip entries have fixed times
and modes.
"""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
CONFIG = REPO / "assignments" / "rnn_gradients" / "assignment.json"
PYTHON = "3.11"
RUNTIME = ("numpy", "nbformat", "ipython", "matplotlib")   # what grading and the notebook import
EPOCH = 1767225600                               # 2026-01-01T00:00:00Z: fixed file times
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
PACKAGES = ("autograder", "solutions")

SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# AUTOGRADER_ROOT moves the root (default /autograder), as in run_autograder (tests).
set -euo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
cd "$root/source"
if ! command -v python{PYTHON} >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        python{PYTHON} python{PYTHON}-venv util-linux
fi
python{PYTHON} -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --no-cache-dir --upgrade pip
"$root/venv/bin/python" -m pip install --no-cache-dir -r requirements.txt
PYTHON="$root/venv/bin/python" bash install_lib.sh "$root/source"
"""

INSTALL_LIB_SH = """#!/usr/bin/env bash
# Install the grader's wheel into SOURCE/lib (its bytecode compiled now, once, not
# in every container), build the grading user's matplotlib font cache, and make
# SOURCE readable by root only.
# Usage: PYTHON=/path/to/python bash install_lib.sh SOURCE
set -euo pipefail
source_dir="$1"
"${PYTHON:-python3}" -m pip install --quiet --no-deps --no-index \\
    --target "$source_dir/lib" "$source_dir"/*.whl
PYTHONPATH="$source_dir/lib" "${PYTHON:-python3}" -m autograder.sandbox.mplfonts
chown -R 0:0 "$source_dir"
chmod -R go-rwx "$source_dir"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade submission/ in the sandbox,
# write results/results.json. AUTOGRADER_ROOT moves the root (tests).
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${RNNGRADE_PYTHON:-$root/venv/bin/python}"
cd "$root/source"
AUTOGRADER_ROOT="$root" PYTHONPATH="$root/source/lib" exec "$python" -m autograder.platforms.gradescope
"""


def requirements():
    """requirements.txt: the grader's runtime dependencies, pinned to this environment's versions."""
    return "".join(f"{name}=={importlib.metadata.version(name)}\n" for name in RUNTIME)


def _copy_sources(dest):
    """The files a wheel is built from, without caches or build leftovers."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, dest / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, dest / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    for path in dest.rglob("*"):
        os.utime(path, (EPOCH, EPOCH), follow_symlinks=False)


def build_wheel(dest):
    """Build this repository's wheel into dest; returns its Path."""
    with tempfile.TemporaryDirectory(prefix="rnngrade-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        _copy_sources(src)
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH), PYTHONHASHSEED="0")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--wheel-dir", str(dest), str(src)],
                       check=True, env=env, cwd=tmp, stdout=subprocess.DEVNULL)
    wheels = sorted(Path(dest).glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {dest}, found {len(wheels)}")
    return wheels[0]


def _add(zf, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o100755 if executable else 0o100644) << 16)
    zf.writestr(info, data)


def build_gradescope(out_dir, config=CONFIG, details="after_published"):
    """Write out_dir/autograder.zip; returns its Path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnngrade-gs-") as tmp:
        wheel = build_wheel(Path(tmp))
        target = out_dir / "autograder.zip"
        with zipfile.ZipFile(target, "w") as zf:
            _add(zf, "setup.sh", SETUP_SH, executable=True)
            _add(zf, "run_autograder", RUN_AUTOGRADER, executable=True)
            _add(zf, "install_lib.sh", INSTALL_LIB_SH, executable=True)
            _add(zf, "requirements.txt", requirements())
            _add(zf, "assignment.json", Path(config).read_bytes())
            _add(zf, "gradescope.json", json.dumps({"details": details}, indent=1) + "\n")
            _add(zf, wheel.name, wheel.read_bytes())
    return target
