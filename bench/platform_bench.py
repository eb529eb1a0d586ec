"""One submission on Gradescope: our hardened run_autograder against otter's.

    python bench/platform_bench.py [--runs 5] [--markdown PATH]

Gradescope starts one container per submission and runs its
``run_autograder`` once, so the figure that matters there is the wall time
of one run on one notebook. Both autograders are built by ``rnngrade
build``'s own code (gradescope_zip.build_gradescope and
otter_release.build_otter, English) and run side by side on the same
notebooks (the otter student release filled in with the answer key and
with a buggy submission), alternating, each run a fresh process:

- ours: ``run_autograder`` of our zip unpacked under a temporary root
  where the zip's own setup.sh built the image (its venv pip-installed
  from the package index, as on Gradescope), grading in the sandbox with
  that venv's Python; when the index cannot be reached, install_lib.sh
  alone, with this venv standing in for /autograder/venv (said in the
  output);
- otter's: ``otter run -a ZIP``, which is what otter's own run_autograder
  does (PLATFORMS.md: the same code path without a container).

Prints the medians and their ratio (target: ours at least 10x faster).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbformat  # noqa: E402

from autograder.build.fill import fill_notebook  # noqa: E402
from autograder.build.gradescope_zip import build_gradescope  # noqa: E402
from autograder.build.otter_release import build_otter  # noqa: E402
from autograder.submissions import compose  # noqa: E402
from bench import measure  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TARGET = 10.0


def log(message):
    print(message, file=sys.stderr, flush=True)


def prepare(work):
    """(our root, otter zip, {name: notebook path}) in work."""
    log("[platform] building our Gradescope zip and the otter release (en)")
    ours_zip = build_gradescope(work / "gs")
    build_otter("en", work / "otter")
    otter_zip = next((work / "otter" / "autograder").glob("*.zip"))
    root = work / "root"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(ours_zip) as zf:
        zf.extractall(root / "source")
    log("[platform] running the zip's setup.sh (pip installs from the package index)")
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=image_env(root),
                           cwd=work, capture_output=True, text=True, timeout=1800)
    if setup.returncode != 0:
        log(f"[platform] setup.sh failed, so this venv stands in for the image's: {setup.stderr[-500:]}")
        subprocess.run(["bash", str(root / "source" / "install_lib.sh"), str(root / "source")], check=True,
                       env=dict(os.environ, PYTHON=sys.executable))
    student = next((work / "otter" / "student").glob("*.ipynb"))
    release = nbformat.read(student, as_version=4)
    notebooks = {}
    for name, override in (("answer_key", ""), ("buggy", REPO / "tests" / "files" / "bugs" / "dW_hh_transposed.py")):
        path = work / "notebooks" / name / student.name
        path.parent.mkdir(parents=True)
        nbformat.write(fill_notebook(release, compose(override)), path)
        notebooks[name] = path
    return root, otter_zip, notebooks


def image_env(root=None):
    """The environment the image's setup.sh and run_autograder get (also
    tests/test_gradescope_image.py): this one without this venv's Python
    settings; with a root, AUTOGRADER_ROOT and a cache folder of the image's
    own beside it (the grading user's matplotlib font list goes there, not
    into this machine's)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "RNNGRADE_PYTHON", "PYTHONHOME",
                        "PYTHONDONTWRITEBYTECODE", "MPLCONFIGDIR")}
    if root is not None:
        env.update(AUTOGRADER_ROOT=str(root), XDG_CACHE_HOME=str(root.parent / "cache"))
    return env


def run_ours(root, notebook):
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    sub.mkdir()
    shutil.copy(notebook, sub / notebook.name)
    env = image_env(root)
    if not (root / "venv" / "bin" / "python").exists():
        env["RNNGRADE_PYTHON"] = sys.executable      # setup.sh failed: this venv stands in
    m = measure.run(["bash", str(root / "source" / "run_autograder")], env=env, timeout=600, interval=None)
    score = json.loads((root / "results" / "results.json").read_text())["score"]
    return m, score


def run_otter(zip_path, notebook, out):
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    otter = shutil.which("otter", path=str(Path(sys.executable).parent)) or "otter"
    m = measure.run([otter, "run", "-a", str(zip_path), "-o", str(out), str(notebook)], timeout=900,
                    interval=None)
    results = json.loads((out / "results.json").read_text())
    return m, results.get("score", sum(t.get("score", 0) for t in results.get("tests", [])))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5, help="runs of each autograder per notebook (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="uncounted runs of each autograder first (default 1)")
    p.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rnngrade-platform-bench-") as tmp:
        work = Path(tmp)
        root, otter_zip, notebooks = prepare(work)
        times = {"ours": [], "otter": []}
        scores = {}
        os.sync()                       # the image's files written: no writeback during the runs
        for _ in range(args.warmup):    # one uncounted run of each, on the answer key
            run_ours(root, notebooks["answer_key"])
            run_otter(otter_zip, notebooks["answer_key"], work / "otter-out")
        for i in range(args.runs):
            for name, nb in notebooks.items():
                m, s = run_ours(root, nb)
                times["ours"].append(m.seconds)
                scores.setdefault(("ours", name), s)
                m2, s2 = run_otter(otter_zip, nb, work / "otter-out")
                times["otter"].append(m2.seconds)
                scores.setdefault(("otter", name), s2)
                log(f"[platform] run {i + 1} {name}: ours {m.seconds:.2f} s (score {s:g}), "
                    f"otter {m2.seconds:.2f} s (score {s2:g})")
    ours, otter = statistics.median(times["ours"]), statistics.median(times["otter"])
    ratio = otter / ours
    lines = ["| autograder (one notebook, one fresh process) | runs | median s | scores (answer key, buggy) |",
             "| --- | --- | --- | --- |",
             f"| rnngrade run_autograder (sandbox) | {len(times['ours'])} | {ours:.2f} | "
             f"{scores[('ours', 'answer_key')]:g}, {scores[('ours', 'buggy')]:g} |",
             f"| otter run -a ZIP (otter's run_autograder) | {len(times['otter'])} | {otter:.2f} | "
             f"{scores[('otter', 'answer_key')]:g}, {scores[('otter', 'buggy')]:g} |",
             "", f"- otter / rnngrade median: **{ratio:.1f}x** (target >= {TARGET:g}x: "
             f"{'met' if ratio >= TARGET else 'NOT met'})"]
    print("\n".join(lines))
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
