"""Load benchmark: does a class of 5,000 grade like a class of 200?

    python bench/load.py [--sizes 200,5000] [--jobs 2] [--resume-k 200] [--seed S]
                         [--workdir DIR] [--markdown PATH] [--raw PATH]

For each size K, a generated corpus (bench/corpus.py: the same mix as `make bench`)
is graded by one `rnngrade grade FOLDER --out OUT --jobs J --quiet`, while the
grading process itself (not its workers or sandboxes) is sampled every 0.5 s:
its RSS and how many results the cache holds. Reported per size:

- s/submission over the whole command, and over the grading alone (first to
  last stored result: start-up and the final reports left out), and their
  ratio between the largest and the smallest size (target: within 10%);
- the parent's RSS when 10%, 50% and 90% of the results are stored, its peak
  while grading, its growth from 10% to the end of grading (flat: a few MiB,
  whatever K), and its peak while writing the reports at the end;
- the result cache's size on disk per submission, and the time the final
  reports (grades.csv/json, feedback, Gradescope files) take.

Then the kill-and-resume check on a fresh output folder (K = --resume-k): the
command is killed (SIGKILL to its process group and to every process of it
that was seen) when a random number of results is stored, then run again; it
must take exactly the stored results from the cache (their files untouched),
grade every other submission exactly once, and end with one row and one
stored result per submission, scored as in the uninterrupted run.

Timings are reported, never asserted; they depend on the machine's load.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

MIB = 1024 * 1024
TARGET_RATIO = 1.10


def log(message):
    print(message, file=sys.stderr, flush=True)


def command(folder, out, jobs, quiet=True):
    """`rnngrade grade` of this tree (python -m, so the tree of this script is graded with)."""
    argv = [sys.executable, "-m", "autograder.cli", "grade", str(folder), "--out", str(out), "--jobs", str(jobs)]
    return argv + (["--quiet"] if quiet else [])


def tree_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def stored(out):
    """Finished results in the cache (temporary files left out)."""
    try:
        return sum(1 for e in os.scandir(Path(out) / ".rnngrade" / "results") if e.name.endswith(".json"))
    except OSError:
        return 0


def tree_cpu(proc):
    """CPU seconds of the command so far: its own and its pool workers' (each with the
    sandboxes it has waited for). Less sensitive to the machine's load than wall time."""
    total = 0.0
    try:
        procs = [proc] + proc.children(recursive=False)
    except psutil.Error:
        return float("nan")
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


class Watcher(threading.Thread):
    """Samples the command's own RSS and the stored-result count; remembers every descendant."""

    def __init__(self, pid, out, interval=0.5):
        super().__init__(daemon=True)
        self.proc, self.out, self.interval = psutil.Process(pid), out, interval
        self.samples, self.seen, self.load, self.cpu = [], {}, [], []
        self.start_time = time.monotonic()
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            try:
                rss = self.proc.memory_info().rss
                for child in self.proc.children(recursive=True):
                    self.seen.setdefault(child.pid, child.create_time())
            except psutil.Error:
                break
            self.samples.append((time.monotonic() - self.start_time, rss, stored(self.out)))
            self.load.append(os.getloadavg()[0])
            self.cpu.append(tree_cpu(self.proc))
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()


def run_batch(folder, out, jobs, quiet=True, stop_at=None):
    """Run one batch; with stop_at, SIGKILL it once that many results are stored.
    Returns (seconds, returncode, stderr, watcher, survivors killed afterwards)."""
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        start = time.monotonic()
        proc = subprocess.Popen(command(folder, out, jobs, quiet), stdout=so, stderr=se, cwd=ROOT,
                                env=tree_env(), start_new_session=True, stdin=subprocess.DEVNULL)
        watcher = Watcher(proc.pid, out)
        watcher.start()
        while proc.poll() is None:
            if stop_at is not None and stored(out) >= stop_at:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        proc.wait()
        seconds = time.monotonic() - start
        watcher.stop()
        survivors = kill_survivors(watcher.seen) if stop_at is not None else {}
        se.seek(0)
        return seconds, proc.returncode, se.read().decode("utf-8", "replace"), watcher, survivors


def kill_survivors(seen, grace=10.0):
    """Processes of a killed batch still alive after `grace` seconds (by pid and start time):
    killed, and returned as a count per kind ("sandbox" or "other")."""
    deadline = time.monotonic() + grace
    alive = {}
    while True:
        alive = {}
        for pid, created in seen.items():
            try:
                p = psutil.Process(pid)
                if p.create_time() == created and p.status() != psutil.STATUS_ZOMBIE:
                    alive[pid] = p
            except psutil.Error:
                pass
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    kinds = {}
    for p in alive.values():
        try:
            kind = "sandbox" if "autograder.sandbox.boot" in " ".join(p.cmdline()) else "other"
            p.kill()
            kinds[kind] = kinds.get(kind, 0) + 1
        except psutil.Error:
            pass
    return kinds


def time_at(samples, done):
    """Seconds into the run of the first sample with at least `done` results stored."""
    return next((t for t, _, d in samples if d >= done), None)


def rate(samples, lo, hi):
    """Seconds per submission while the stored results went from lo to hi."""
    a, b = time_at(samples, lo), time_at(samples, hi)
    return (b - a) / (hi - lo) if a is not None and b is not None and hi > lo else None


def cpu_rate(samples, cpu, lo, hi):
    """CPU seconds per submission while the stored results went from lo to hi."""
    at = lambda n: next((c for (_, _, d), c in zip(samples, cpu) if d >= n), None)
    a, b = at(lo), at(hi)
    return (b - a) / (hi - lo) if a is not None and b is not None and hi > lo else None


def rss_at(samples, done):
    """The parent's RSS (MiB) at the first sample with at least `done` results stored."""
    return next((rss / MIB for _, rss, d in samples if d >= done), float("nan"))


def size_run(entries, k, jobs, workdir):
    folder, out = workdir / f"k{k}" / "class", workdir / f"k{k}" / "out"
    log(f"[load] writing {k} notebooks")
    corpus.write_plain(entries, folder)
    log(f"[load] grading {k} submissions, --jobs {jobs}")
    seconds, rc, err, w, _ = run_batch(folder, out, jobs)
    s = w.samples
    grading = [x for x in s if 0 < x[2] < k]
    first, last = time_at(s, 1), time_at(s, k)
    rows = json.loads((out / "grades.json").read_text())["submissions"] if rc == 0 else []
    cache = sum(e.stat().st_size for e in os.scandir(out / ".rnngrade" / "results"))
    result = {
        "k": k, "returncode": rc, "seconds": seconds, "s_per_sub": seconds / k,
        "grading_s_per_sub": (last - first) / (k - 1) if first is not None and last and k > 1 else None,
        "report_seconds": (s[-1][0] - last) if last is not None else None,
        "rss_10": rss_at(s, max(1, k // 10)), "rss_50": rss_at(s, k // 2), "rss_90": rss_at(s, 9 * k // 10),
        "rss_peak_grading": max((r for _, r, _ in grading), default=0) / MIB,
        "rss_peak_reports": max((r / MIB for _, r, d in s if d >= k), default=None),
        "rows": len(rows), "graded": sum(r["status"] == "graded" for r in rows),
        "cache_kib_per_sub": cache / 1024 / k,
        "load_average": sum(w.load) / len(w.load) if w.load else None,
        "first_tenth_s_per_sub": rate(s, 1, max(2, k // 10)),
        "last_tenth_s_per_sub": rate(s, k - k // 10, k),
        "first_tenth_cpu_per_sub": cpu_rate(s, w.cpu, 1, max(2, k // 10)),
        "last_tenth_cpu_per_sub": cpu_rate(s, w.cpu, k - k // 10, k),
        "timeline": [(round(t, 1), round(r / MIB, 1), d, round(ld, 2), round(c, 2))
                     for (t, r, d), ld, c in zip(s, w.load, w.cpu)],
        "scores": {r["student"]: r["score"] for r in rows},
        "stderr_tail": err[-1500:] if rc else "",
    }
    result["rss_growth"] = result["rss_peak_grading"] - result["rss_10"]
    log(f"[load] K={k}: {seconds:.0f} s, exit {rc}, {result['rows']} rows, parent RSS "
        f"{result['rss_10']:.0f} -> {result['rss_peak_grading']:.0f} MiB while grading")
    return result


def resume_check(entries, k, jobs, workdir, rng, reference_scores=None):
    """Kill at a random point, resume; count what came from the cache and what was graded."""
    folder, out = workdir / f"resume{k}" / "class", workdir / f"resume{k}" / "out"
    corpus.write_plain(entries, folder)
    target = rng.randint(max(1, k // 5), max(1, 4 * k // 5))
    log(f"[resume] K={k}: killing the batch when {target} results are stored")
    _, _, _, _, survivors = run_batch(folder, out, jobs, stop_at=target)
    results = out / ".rnngrade" / "results"
    before = {e.name: e.stat().st_mtime_ns for e in os.scandir(results) if e.name.endswith(".json")}
    temporary = sum(1 for e in os.scandir(results) if ".tmp" in e.name)
    seconds, rc, err, _, _ = run_batch(folder, out, jobs, quiet=False)
    lines = [line for line in err.splitlines() if line.startswith("[")]
    cached = [line for line in lines if line.startswith("[cached]")]
    graded = [line for line in lines if not line.startswith("[cached]")]
    ids = sorted(line.split("] ", 1)[1].rsplit(": ", 1)[0] for line in lines)
    after = {e.name: e.stat().st_mtime_ns for e in os.scandir(results) if e.name.endswith(".json")}
    rows = json.loads((out / "grades.json").read_text())["submissions"] if rc == 0 else []
    scores = {r["student"]: r["score"] for r in rows}
    check = {
        "k": k, "killed_at": len(before), "target": target, "survivors_killed": survivors,
        "temporary_files_left": temporary, "returncode": rc, "resume_seconds": seconds,
        "from_cache": len(cached), "graded_again": len(graded),
        "each_once": ids == sorted(e.student for e in entries),
        "stored_untouched": all(after.get(n) == t for n, t in before.items()),
        "stored_after": len(after), "rows": len(rows),
        "scores_match": (scores == reference_scores) if reference_scores else None,
    }
    check["ok"] = (rc == 0 and check["from_cache"] == len(before) and check["graded_again"] == k - len(before)
                   and check["each_once"] and check["stored_untouched"] and len(after) == k == len(rows)
                   and check["scores_match"] is not False)
    log(f"[resume] {json.dumps({x: y for x, y in check.items()})}")
    return check


def _fmt(value, spec=".3f"):
    return "n/a" if value is None else f"{value:{spec}}"


def render(runs, check, jobs):
    lo, hi = runs[0], runs[-1]
    ratio = (hi["grading_s_per_sub"] / lo["grading_s_per_sub"]
             if hi["grading_s_per_sub"] and lo["grading_s_per_sub"] else None)
    out = ["| K | wall s | s/submission (whole command) | s/submission (grading only) | parent RSS MiB at 10% / 50% / 90% | "
           "parent RSS growth while grading MiB | parent peak RSS writing reports MiB | reports s | "
           "cache KiB/submission | rows | machine load (1-min average) | s/submission, first / last tenth | "
           "CPU s/submission, first / last tenth |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in runs:
        gs = f"{r['grading_s_per_sub']:.3f}" if r["grading_s_per_sub"] else "n/a"
        rs = f"{r['report_seconds']:.1f}" if r["report_seconds"] is not None else "n/a"
        out.append(f"| {r['k']} | {r['seconds']:.0f} | {r['s_per_sub']:.3f} | {gs} | "
                   f"{r['rss_10']:.0f} / {r['rss_50']:.0f} / {r['rss_90']:.0f} | {r['rss_growth']:+.1f} | "
                   f"{_fmt(r['rss_peak_reports'], '.0f')} | {rs} | {r['cache_kib_per_sub']:.1f} | "
                   f"{r['rows']} ({r['graded']} graded) | {r['load_average'] or 0:.1f} | "
                   f"{_fmt(r['first_tenth_s_per_sub'])} / {_fmt(r['last_tenth_s_per_sub'])} | "
                   f"{_fmt(r['first_tenth_cpu_per_sub'])} / {_fmt(r['last_tenth_cpu_per_sub'])} |")
    out.append("")
    if ratio is not None:
        out.append(f"- s/submission while grading, K={hi['k']} / K={lo['k']}: **{ratio:.3f}** "
                   f"(target <= {TARGET_RATIO:.2f}: {'met' if ratio <= TARGET_RATIO else 'not met'})")
    tenths = (hi["last_tenth_s_per_sub"] / hi["first_tenth_s_per_sub"]
              if hi["last_tenth_s_per_sub"] and hi["first_tenth_s_per_sub"] else None)
    if tenths is not None:
        out.append(f"- within the K={hi['k']} run, s/submission of the last tenth / the first tenth: "
                   f"**{tenths:.3f}** (target <= {TARGET_RATIO:.2f}: {'met' if tenths <= TARGET_RATIO else 'not met'})")
    cpu = (hi["last_tenth_cpu_per_sub"] / hi["first_tenth_cpu_per_sub"]
           if hi["last_tenth_cpu_per_sub"] and hi["first_tenth_cpu_per_sub"] else None)
    if cpu is not None:
        out.append(f"- within the K={hi['k']} run, CPU s/submission of the last tenth / the first tenth: "
                   f"**{cpu:.3f}** (target <= {TARGET_RATIO:.2f}: {'met' if cpu <= TARGET_RATIO else 'not met'})")
    if len(runs) > 1:
        same = all(r["scores"] == lo["scores"] for r in runs if r["k"] == lo["k"])
        out.append(f"- every run gave a row per submission: {all(r['rows'] == r['k'] for r in runs)}"
                   + ("" if same else " (scores differ between repeated sizes)"))
    if check:
        out.append(f"- kill and resume (K={check['k']}): killed with {check['killed_at']} results stored "
                   f"(target {check['target']}); resumed: {check['from_cache']} from the cache (files untouched: "
                   f"{check['stored_untouched']}), {check['graded_again']} graded, each submission once: "
                   f"{check['each_once']}, {check['rows']} rows, {check['stored_after']} stored results; "
                   f"scores as uninterrupted: {check['scores_match']}; processes alive 10 s after the kill: "
                   f"{check['survivors_killed'] or 'none'}; temporary files left by the kill: "
                   f"{check['temporary_files_left']} (removed by the resume) -> "
                   f"**{'ok' if check['ok'] else 'FAILED'}**")
    out.append(f"\nRun {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, --jobs {jobs}, {os.cpu_count()} cores.")
    return "\n".join(out)


def parse_args(argv):
    p = argparse.ArgumentParser(description="rnngrade under load: 200 against 5,000 submissions, kill and resume.")
    p.add_argument("--sizes", default="200,5000", help="comma-separated corpus sizes (default 200,5000)")
    p.add_argument("--jobs", type=int, default=2, help="rnngrade --jobs (default 2)")
    p.add_argument("--resume-k", type=int, default=200, help="size of the kill-and-resume check (0: none)")
    p.add_argument("--seed", type=int, default=None, help="seed of the kill point (default: random)")
    p.add_argument("--workdir", metavar="DIR", help="keep everything here (default: a temporary folder)")
    p.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown here")
    p.add_argument("--raw", metavar="PATH", help="every measurement as JSON here")
    args = p.parse_args(argv)
    args.sizes = sorted(int(x) for x in args.sizes.split(","))
    if args.jobs < 1 or args.sizes[0] < 2 or args.resume_k < 0:
        p.error("--jobs must be >= 1, sizes >= 2, --resume-k >= 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="rnngrade-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    try:
        runs = [size_run(corpus.make_corpus(k), k, args.jobs, workdir) for k in args.sizes]
        check = None
        if args.resume_k:
            reference = next((r["scores"] for r in runs if r["k"] == args.resume_k and r["rows"]), None)
            check = resume_check(corpus.make_corpus(args.resume_k), args.resume_k, args.jobs, workdir,
                                 random.Random(seed), reference)
            check["seed"] = seed
        text = render(runs, check, args.jobs)
        print(text)
        if args.markdown:
            Path(args.markdown).write_text(text + "\n", encoding="utf-8")
        if args.raw:
            Path(args.raw).write_text(json.dumps({"runs": runs, "resume": check}, indent=1), encoding="utf-8")
        bad = any(r["returncode"] or r["rows"] != r["k"] for r in runs) or (check is not None and not check["ok"])
        return 1 if bad else 0
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
