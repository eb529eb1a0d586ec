"""Grade many submissions: discover them, grade each in a sandbox, resume.

    submissions = discover(["submitted/"])
    results = grade_batch(submissions, jobs=2, out_dir=Path("out"))

Discovery (which files, which ids) is autograder/discovery.py. Each
submission is graded in a worker process of this (trusted) program, which
starts the sandboxed child that runs the student's code; a link, a special
file or a file over the size limit is refused after an lstat, unopened.
Results are JSON documents; with an output folder, each is written as soon
as it is ready under a key hashed from a framed list of everything it
depends on (student id, file content read up to the size limit, grader
fingerprint, limits), so an interrupted batch resumes where it stopped and
a changed grader regrades everything. The parent keeps only keys and reads
results back when the reports ask for them, so its memory does not grow
with the class (bench/load.py measures it on 5,000 submissions).
"""

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import stat
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from .discovery import SUFFIXES, DiscoveryError, Submission, discover, printable, shown
from .sandbox.limits import Limits
from .sandbox.notebook import NotListed, NotRegular, open_listed, read_upto
from .spec import GRADER_VERSION

__all__ = ["DiscoveryError", "Results", "Submission", "discover", "dump", "grade_batch", "grade_one", "prune_cache",
           "result_key", "write_document"]


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


def content_digest(path, cap, ident=()):
    """sha256 of at most cap + 1 bytes of a regular file, read in chunks; never follows a
    link and never blocks on a FIFO. A marker instead when it is not a readable regular file,
    or not the file discovery listed (ident: its (st_dev, st_ino))."""
    h = hashlib.sha256()
    try:
        with open_listed(path, ident) as fd:
            for chunk in read_upto(fd, cap + 1):
                h.update(chunk)
    except NotRegular:
        return "not-regular"
    except NotListed:
        return "changed"
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return h.hexdigest()


def result_key(sub, limits=None):
    """The cache key of a submission's result: a hash of a framed (JSON) list of everything
    the result depends on, so no two different inputs can run into each other."""
    limits = limits or Limits()
    content = "" if sub.problem else content_digest(sub.path, limits.submission_bytes, sub.ident)
    fields = [GRADER_VERSION, grader_fingerprint(), repr(limits), sub.student, content,
              sub.problem, list(sub.notes)]
    framed = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(framed.encode("ascii")).hexdigest()


def refusal(sub, limits):
    """Why a submission is not handed to the sandbox at all (checked with lstat), else ""."""
    if sub.problem:
        return sub.problem
    try:
        info = os.lstat(sub.path)
    except OSError as exc:
        return f"{shown(sub.path)} does not exist or could not be read ({exc.strerror or type(exc).__name__})"
    if stat.S_ISLNK(info.st_mode):
        return f"{shown(sub.path)} is a symbolic link; it was not followed"
    if not stat.S_ISREG(info.st_mode):
        return f"{shown(sub.path)} is not a regular file; it was not opened"
    if sub.ident and (info.st_dev, info.st_ino) != tuple(sub.ident):
        return CHANGED.format(shown(sub.path))
    if not sub.path.name.lower().endswith(SUFFIXES):
        return f"{shown(sub.path)} is not a .py or .ipynb file"
    if info.st_size > limits.submission_bytes:
        return f"{shown(sub.path)} is larger than {limits.submission_bytes} bytes; it was not read"
    return ""


CHANGED = ("{} is not the file that was listed (it, or a folder above it, was replaced "
           "after the batch started); it was not read")


def _clean(value):
    """The result with every string printable-safe (no lone surrogates: they cannot be written as UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return "".join(printable(c) if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def error_grade(student, reason, notes=()):
    """grading.error_grade. The grading modules (the checks, the answer key)
    are imported on first use, not with this module: a platform's one-upload
    process starts its child before they load (platforms/single.py)."""
    from .grading import error_grade as make
    return make(student, reason, notes)


def _prepare():
    """grading.prepare, run while a submission's child starts (SandboxedStudent's meanwhile)."""
    from .grading import prepare
    prepare()


def grade_one(sub, limits=None, prestart=False):
    """Grade one submission in a sandbox; always returns a result dict.

    A link, a special file, a wrong suffix or a file over the size limit is
    refused after an lstat, before anything opens it. With prestart, the
    child for the next submission starts while this one is graded (its
    Python and numpy start-up overlap the grading). While a child starts
    and runs the submission, this process prepares the checks
    (grading.prepare: their per-process work) and checks the notebook's
    format.
    """
    limits = limits or Limits()
    why = refusal(sub, limits)
    if why:
        return _clean(error_grade(sub.student, why, sub.notes).to_dict())
    from .sandbox import SandboxedStudent

    try:
        with SandboxedStudent(sub.path, limits=limits, prestart=prestart, identity=sub.ident,
                              meanwhile=_prepare) as student:
            load = student.load
            if not load.ok:
                return _clean(error_grade(sub.student, load.reason, list(sub.notes) + list(load.notes)).to_dict())
            from .grading import grade_student
            grade = grade_student(student, sub.student)
            grade.notes = list(sub.notes) + list(load.notes)
            return _clean(grade.to_dict())
    except Exception as exc:                       # the grader's own failure, never the student's
        result = error_grade(sub.student, f"internal error of the autograder: {type(exc).__name__}: {exc}",
                             sub.notes)
        result = _clean(result.to_dict())
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


def _cache_path(out_dir, key):
    """A result's file: named after the grader's fingerprint (its generation) and the key."""
    return _cache_dir(out_dir) / f"{grader_fingerprint()}-{key}.json"


def prune_cache(out_dir):
    """Remove what no run can use again: results of another grader version (a changed grader
    regrades everything anyway) and temporary files left by a killed run. The cache then holds
    at most one file per (student id, content, limits) graded by this grader."""
    d = _cache_dir(out_dir)
    try:
        names = os.listdir(d)
    except OSError:
        return
    for name in names:
        stale = not name.startswith(f"{grader_fingerprint()}-")
        if ".tmp" in name:
            pid = name.rpartition(".tmp")[2]
            stale = not pid.isdigit() or not _alive(int(pid))
        if stale:
            try:
                os.unlink(d / name)
            except OSError:
                pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def load_cached(out_dir, sub, limits=None, key=None):
    """The stored result of a submission, or None (key: its result_key, if known)."""
    if out_dir is None:
        return None
    try:
        return json.loads(_cache_path(out_dir, key or result_key(sub, limits)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(out_dir, sub, result, limits=None, key=None):
    """Write one result atomically (a crash never leaves half a file)."""
    if out_dir is None:
        return
    final = _cache_path(out_dir, key or result_key(sub, limits))
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f"{final.name}.tmp{os.getpid()}")
    tmp.write_text(dump(result), encoding="utf-8")
    os.replace(tmp, final)


def dump(document):
    """The canonical JSON text: the same document always gives the same bytes."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_document(stream, rows, text=dump):
    """Write ``text({"submissions": rows})`` to stream one row at a time, byte for byte the
    same, without holding the whole document in memory (text: dump or a function that
    escapes characters of its output, as reports.json_text does)."""
    stream.write('{\n  "submissions": [')
    empty = True
    for row in rows:
        body = text(row).rstrip("\n").replace("\n", "\n    ")
        stream.write(("\n    " if empty else ",\n    ") + body)
        empty = False
    stream.write(']\n}\n' if empty else '\n  ]\n}\n')


class Results(Sequence):
    """The result dicts of a batch, in the order of its submissions.

    With a result cache (an output folder), only the keys stay in memory and each
    result is read back from its file when asked for, so the grading process's
    memory does not grow with the size of the class; without one, they are kept.
    """

    def __init__(self, subs, out_dir, keys):
        self._subs, self._out_dir, self._keys = subs, out_dir, keys
        self._kept = [None] * len(subs)

    def __len__(self):
        return len(self._subs)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._kept[i] is not None:
            return self._kept[i]
        result = load_cached(self._out_dir, self._subs[i], key=self._keys[i]) if self._out_dir else None
        if result is None:                        # removed from under us: say so, never invent a grade
            result = error_grade(self._subs[i].student, "internal error of the autograder: the result "
                                 "could not be read back from the result cache").to_dict()
            result["internal_error"] = True
        return result

    def keep(self, i, result):
        """Record a finished result (kept in memory only when there is no cache to read it from)."""
        if self._out_dir is None:
            self._kept[i] = result


def grade_batch(subs, jobs=None, out_dir=None, limits=None, progress=None, prune=True):
    """Grade every submission; returns a Results sequence in the order of ``subs``.

    - jobs: worker processes (default: the number of cores)
    - out_dir: where finished results are kept for resuming (optional); with it the
      results are read back from there, and the parent's memory stays flat
    - progress: callable(done, total, result) called as each one finishes
      (done is None for a result taken from the cache)
    - prune: remove other grader versions' results from the cache first (not when
      regrading one student: the rest of out_dir must stay as it was)
    """
    jobs = jobs or os.cpu_count() or 1
    if out_dir is not None and prune:
        prune_cache(out_dir)
    # One key per submission, computed once: the file is hashed once, and the result
    # is stored under the key of the content that was looked up.
    keys = [result_key(sub, limits) if out_dir is not None else None for sub in subs]
    results = Results(subs, out_dir, keys)
    todo = []
    for i, sub in enumerate(subs):
        cached = load_cached(out_dir, sub, limits, keys[i])
        if cached is None:
            todo.append(i)
        elif progress:
            progress(None, len(subs), cached)
    done = len(subs) - len(todo)

    def finish(i, result):
        nonlocal done
        store(out_dir, subs[i], result, limits, keys[i])
        results.keep(i, result)
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
    left = _in_pool(subs, todo, min(jobs, len(todo)), limits, finish)
    # A worker process that died (killed from outside, out of memory) breaks the
    # pool; what was not finished is graded again, one at a time, in this process.
    one_by_one(sorted(left))
    return results


def _in_pool(subs, todo, workers, limits, finish):
    """Grade subs[i] for i in todo in a pool of worker processes, calling finish(i, result)
    as each one ends; returns the indices left unfinished by a broken pool.

    At most two submissions per worker are in flight: a finished future is dropped at
    once, so neither futures nor their results pile up in the parent."""
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    queue, pending, left = iter(todo), {}, []

    def submit_next(pool):
        for i in queue:
            try:
                pending[pool.submit(grade_one, subs[i], limits, True)] = i
            except cf.process.BrokenProcessPool:
                left.append(i)
                left.extend(queue)                  # everything not yet submitted
            return

    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
        for _ in range(2 * workers):
            submit_next(pool)
        while pending:
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                i = pending.pop(fut)
                try:
                    result = fut.result()
                except cf.process.BrokenProcessPool:
                    left.append(i)                   # graded again by the caller
                    continue
                except Exception as exc:             # the grader's own failure, never the student's
                    result = error_grade(subs[i].student, f"internal error of the autograder: {exc}").to_dict()
                    result["internal_error"] = True
                finish(i, result)
                submit_next(pool)
    left.extend(queue)                               # never submitted: the pool broke first
    return left
