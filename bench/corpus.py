"""The benchmark's submissions: K student sources built from the answer key.

    entries = make_corpus(k)                 # [Entry], deterministic for a given k
    write_plain(entries, folder)             # student_000.ipynb ... for rnngrade
    write_otter(entries, folder, name)       # the same, with metadata.otter.assignment_name

The nbgrader variant (the release notebook with the solution cells replaced
by each student's code) lives in bench/nbgrader_bench.py, next to the
course it belongs to. Every variant of one student comes from the same
source text.

The mix: half correct (the reference and the variants of tests/files/correct,
in turn), 40% buggy (the overrides of tests/files/bugs, in turn), the rest
stubs (the untouched starting notebook); shuffled with a fixed seed.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from autograder import submissions

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT / "tests" / "files"
MIX = (("correct", 0.5), ("buggy", 0.4), ("stub", 0.1))


@dataclass(frozen=True)
class Entry:
    student: str          # student_000, ...
    kind: str             # "correct", "buggy" or "stub"
    origin: str           # "reference", "stub" or the override file's name
    source: str           # the whole submission as one module


def counts(k):
    """How many of each kind for k submissions (at least one stub from k = 3)."""
    n_correct = round(k * MIX[0][1])
    n_stub = max(1, round(k * MIX[2][1])) if k >= 3 else 0
    n_buggy = k - n_correct - n_stub
    return {"correct": n_correct, "buggy": n_buggy, "stub": n_stub}


def make_corpus(k, seed=0):
    """K Entries: a deterministic, shuffled mix of correct, buggy and stub sources."""
    if k < 1:
        raise ValueError("k must be at least 1")
    correct_files = sorted((FILES / "correct").glob("*.py"))
    bug_files = sorted((FILES / "bugs").glob("*.py"))
    if not bug_files:
        raise FileNotFoundError(f"no bug fixtures under {FILES / 'bugs'}")
    n = counts(k)
    reference, stub = submissions.reference_source(), submissions.stub_source()
    plan = []
    for i in range(n["correct"]):
        # The reference itself every other time, else the correct variants in turn.
        if i % 2 == 0 or not correct_files:
            plan.append(("correct", "reference", reference))
        else:
            f = correct_files[(i // 2) % len(correct_files)]
            plan.append(("correct", f.name, submissions.compose(f)))
    for i in range(n["buggy"]):
        f = bug_files[i % len(bug_files)]
        plan.append(("buggy", f.name, submissions.compose(f)))
    plan += [("stub", "stub", stub)] * n["stub"]
    random.Random(seed).shuffle(plan)
    return [Entry(f"student_{i:03d}", kind, origin, source)
            for i, (kind, origin, source) in enumerate(plan)]


def notebook(entry, otter_name=None):
    """The notebook of one Entry; with otter_name, carrying otter's assignment name."""
    nb = submissions.to_notebook(entry.source)
    if otter_name is not None:
        nb.metadata["otter"] = {"assignment_name": otter_name}
    return nb


def write_plain(entries, folder):
    """student_XXX.ipynb for rnngrade and the in-process loop; returns the paths."""
    folder = Path(folder)
    return [submissions.write_notebook(notebook(e), folder / f"{e.student}.ipynb") for e in entries]


def write_otter(entries, folder, assignment_name):
    """student_XXX.ipynb with metadata.otter.assignment_name; returns the paths."""
    folder = Path(folder)
    return [submissions.write_notebook(notebook(e, assignment_name), folder / f"{e.student}.ipynb")
            for e in entries]


def sample(entries, n):
    """n Entries spread over the corpus (the first, then every k/n-th), keeping the mix."""
    if n >= len(entries):
        return list(entries)
    step = len(entries) / n
    return [entries[int(i * step)] for i in range(n)]
