"""Grade many submissions: discover them, grade each in a sandbox, resume.

    submissions = discover(["submitted/"])
    results = grade_batch(submissions, jobs=2, out_dir=Path("out"))

Each submission is graded in a worker process of this (trusted) program,
which starts the sandboxed child that runs the student's code. Results are
JSON documents; with an output folder, each is written as soon as it is
ready under a key made of the student id, the file's content hash and the
grader's fingerprint, so an interrupted batch resumes where it stopped and
a changed grader regrades everything.
"""

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .grading import error_grade, grade_student
from .spec import GRADER_VERSION

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


def discover(paths):
    """Submissions under the given files and folders, sorted by student id.

    A folder in nbgrader's layout (submitted/<student>/<assignment>/<file>)
    names each submission after its student folder; otherwise the file's
    stem is the id. Hidden files and .ipynb_checkpoints are skipped. A file
    given explicitly is always a submission, whatever its suffix (a wrong
    one gets an error row). Ids that collide get a numeric suffix.
    """
    found = []
    for raw in paths:
        root = Path(raw)
        if root.is_file() or not root.exists():
            found.append((root.stem, root))
            continue
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES
                       and not any(part.startswith(".") for part in p.relative_to(root).parts))
        nbgrader = root.name == "submitted" or (files and all(len(p.relative_to(root).parts) == 3 for p in files))
        per_student = {}
        for p in files:
            parts = p.relative_to(root).parts
            student = parts[0] if nbgrader and len(parts) == 3 else p.stem
            per_student.setdefault(student, []).append(p)
        for student, ps in per_student.items():
            for p in ps:
                found.append((student if len(ps) == 1 else f"{student}-{p.stem}", p))
    subs, seen = [], {}
    for student, path in sorted(found, key=lambda sp: (sp[0], str(sp[1]))):
        seen[student] = seen.get(student, 0) + 1
        subs.append(Submission(student if seen[student] == 1 else f"{student}-{seen[student]}", path))
    return subs


@lru_cache(maxsize=None)
def grader_fingerprint():
    """Hash of the grader's version and of every source file that decides grades."""
    h = hashlib.sha256(GRADER_VERSION.encode())
    here = Path(__file__).resolve().parent
    for package in (here, here.parent / "solutions"):
        for p in sorted(package.rglob("*.py")):
            h.update(p.relative_to(package.parent).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def result_key(sub, limits=None):
    try:
        content = sub.path.read_bytes()
    except OSError:
        content = b""
    h = hashlib.sha256(content)
    h.update(sub.student.encode())
    h.update(grader_fingerprint().encode())
    h.update(repr(limits).encode())           # other limits can give other results
    return h.hexdigest()


def grade_one(sub, limits=None, prestart=False):
    """Grade one submission in a sandbox; always returns a result dict.

    With prestart, the child for the next submission starts while this one
    is graded (its Python and numpy start-up overlap the grading).
    """
    if sub.path.suffix not in SUFFIXES:
        return error_grade(sub.student, f"{sub.path.name} is not a .py or .ipynb file").to_dict()
    if not sub.path.is_file():
        return error_grade(sub.student, f"{sub.path.name} does not exist or is not a file").to_dict()
    from .sandbox import Limits, SandboxedStudent

    try:
        with SandboxedStudent(sub.path, limits=limits or Limits(), prestart=prestart) as student:
            load = student.load
            if not load.ok:
                return error_grade(sub.student, load.reason, load.notes).to_dict()
            grade = grade_student(student, sub.student)
            grade.notes = list(load.notes)
            return grade.to_dict()
    except Exception as exc:                       # the grader's own failure, never the student's
        result = error_grade(sub.student, f"internal error of the autograder: {type(exc).__name__}: {exc}")
        result = result.to_dict()
        result["internal_error"] = True
        return result


def _discard_spares():
    from .sandbox import discard_spares
    discard_spares()


def _worker_init():
    """In each pool worker: kill the prestarted spare child when the worker exits
    (pool workers leave through multiprocessing's finalizers, not atexit)."""
    from multiprocessing import util
    util.Finalize(None, _discard_spares, exitpriority=10)


def _cache_dir(out_dir):
    return Path(out_dir) / ".rnngrade" / "results"


def load_cached(out_dir, sub, limits=None):
    if out_dir is None:
        return None
    p = _cache_dir(out_dir) / f"{result_key(sub, limits)}.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(out_dir, sub, result, limits=None):
    """Write one result atomically (a crash never leaves half a file)."""
    if out_dir is None:
        return
    d = _cache_dir(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    final = d / f"{result_key(sub, limits)}.json"
    tmp = final.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(dump(result), encoding="utf-8")
    os.replace(tmp, final)


def dump(document):
    """The canonical JSON text: the same document always gives the same bytes."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def grade_batch(subs, jobs=None, out_dir=None, limits=None, progress=None):
    """Grade every submission; returns result dicts in the order of ``subs``.

    - jobs: worker processes (default: the number of cores)
    - out_dir: where finished results are kept for resuming (optional)
    - progress: callable(done, total, result) called as each one finishes
    """
    jobs = jobs or os.cpu_count() or 1
    results = [None] * len(subs)
    todo = []
    for i, sub in enumerate(subs):
        cached = load_cached(out_dir, sub, limits)
        if cached is not None:
            results[i] = cached
        else:
            todo.append(i)
    done = len(subs) - len(todo)
    if progress:
        for i in range(len(subs)):
            if results[i] is not None:
                progress(None, len(subs), results[i])

    def finish(i, result):
        nonlocal done
        store(out_dir, subs[i], result, limits)
        results[i] = result
        done += 1
        if progress:
            progress(done, len(subs), result)

    def one_by_one(indices):
        try:
            for n, i in enumerate(indices):
                finish(i, grade_one(subs[i], limits, prestart=n + 1 < len(indices)))
        finally:
            _discard_spares()

    if jobs == 1 or len(todo) <= 1:
        one_by_one(todo)
        return results
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    left = []
    with cf.ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context,
                                initializer=_worker_init) as pool:
        futures = {pool.submit(grade_one, subs[i], limits, True): i for i in todo}
        for fut in cf.as_completed(futures):
            i = futures[fut]
            try:
                result = fut.result()
            except cf.process.BrokenProcessPool:
                left.append(i)                     # graded again below
                continue
            except Exception as exc:               # the grader's own failure, never the student's
                result = error_grade(subs[i].student, f"internal error of the autograder: {exc}").to_dict()
                result["internal_error"] = True
            finish(i, result)
    # A worker process that died (killed from outside, out of memory) breaks the
    # pool; what was not finished is graded again, one at a time, in this process.
    one_by_one(sorted(left))
    return results
