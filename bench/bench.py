"""Throughput benchmark: rnngrade against otter run and nbgrader autograde.

    python bench/bench.py [--k 200] [--otter-sample 10] [--nbgrader-sample 20]
                          [--skip-otter] [--skip-nbgrader] [--markdown PATH]

See bench/README.md for what each row and column means and how it is
measured. Timings are reported, never asserted.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import traceback
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/ itself; the repository root must
# come first so that `bench` is this package and `autograder` is importable.
if Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus, fixed_tests, measure, nbgrader_bench, otter_bench  # noqa: E402

TARGETS = {"otter": 20.0, "nbgrader": 3.0, "median": 0.4}


# ---------------------------------------------------------------------------
# helpers

def tool_env():
    """os.environ with this Python's bin folder first on PATH (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def executable(name):
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def log(message):
    print(message, file=sys.stderr, flush=True)


def tail(text, n=1500):
    text = (text or "").strip()
    return text if len(text) <= n else "..." + text[-n:]


def row(key, method, n, median, throughput, peak_tree, max_rss, total_for_k, extrapolated, note="",
        cpu=None):
    return {"key": key, "method": method, "n": n, "median": median, "throughput": throughput,
            "peak_tree_mib": peak_tree, "max_rss_mib": max_rss,
            "total_for_k": total_for_k, "extrapolated": extrapolated, "note": note, "cpu": cpu}


def failed_row(key, method, reason):
    return {"key": key, "method": method, "failed": reason}


# ---------------------------------------------------------------------------
# the measured methods

def bench_rnngrade_batch(folder, k, jobs, env, timeout):
    command = [executable("rnngrade"), "grade", str(folder), "--jobs", str(jobs), "--json"]
    log(f"[rnngrade] {k} submissions, --jobs {jobs}")
    m = measure.run(command, env=env, timeout=timeout)
    note, check = "", {}
    try:
        doc = json.loads(m.stdout)
        subs = doc["submissions"]
        check = {"rows": len(subs),
                 "graded": sum(s["status"] == "graded" for s in subs),
                 "error": sum(s["status"] != "graded" for s in subs),
                 "scores": {s["student"]: s["score"] for s in subs}}
        if len(subs) != k:
            note = f"{len(subs)} rows for {k} submissions"
    except (ValueError, KeyError, TypeError) as exc:
        note = f"no JSON document on stdout ({exc})"
    if m.returncode != 0 or m.timed_out:
        note = (note + "; " if note else "") + (
            "timed out" if m.timed_out else f"exit status {m.returncode}: {tail(m.stderr, 300)}")
    log(f"[rnngrade] {m.seconds:.1f} s, exit {m.returncode}, {check.get('graded', '?')} graded, "
        f"{check.get('error', '?')} errors")
    r = row("rnngrade", f"rnngrade grade --jobs {jobs} (one batch)", k, m.seconds / k, 60 * k / m.seconds,
            m.peak_tree_mib, m.max_rss_mib, m.seconds, False, note, cpu=m.cpu_seconds / k)
    return r, {"seconds": m.seconds, "returncode": m.returncode, "check": check, "cpu_seconds": m.cpu_seconds}


def bench_rnngrade_single(paths, jobs, env, timeout):
    runs = []
    for p in paths:
        m = measure.run([executable("rnngrade"), "grade", str(p), "--jobs", str(jobs), "--json"],
                        env=env, timeout=timeout)
        runs.append(m)
        log(f"[rnngrade single] {p.name}: {m.seconds:.2f} s, exit {m.returncode}")
    bad = [m for m in runs if m.returncode != 0 or m.timed_out]
    med = statistics.median(m.seconds for m in runs)
    note = f"{len(bad)} of {len(runs)} runs failed: {tail(bad[0].stderr, 300)}" if bad else ""
    return row("rnngrade_single", "rnngrade grade, one submission per command", len(runs), med, 60 / med,
               max(m.peak_tree_mib for m in runs), max(m.max_rss_mib for m in runs), None, True, note,
               cpu=statistics.median(m.cpu_seconds for m in runs)), \
        {"seconds": [m.seconds for m in runs]}


def bench_floor(paths, env, workdir, timeout):
    out = Path(workdir) / "floor.json"
    command = [sys.executable, str(ROOT / "bench" / "floor.py"), "--out", str(out)] + [str(p) for p in paths]
    log(f"[floor] in-process loop over {len(paths)} submissions")
    m = measure.run(command, env=env, timeout=timeout)
    if m.returncode != 0 or not out.exists():
        raise RuntimeError(f"floor loop failed (exit {m.returncode}): {tail(m.stderr)}")
    data = json.loads(out.read_text())
    med = statistics.median(data["seconds"])
    log(f"[floor] loop {data['loop_seconds']:.1f} s, command {m.seconds:.1f} s, median {med:.3f} s")
    return row("floor", "in-process loop (grade_source, no sandbox)", len(paths), med,
               60 * len(paths) / m.seconds, m.peak_tree_mib, m.max_rss_mib, m.seconds, False,
               f"loop alone {data['loop_seconds']:.1f} s; start-up {m.seconds - data['loop_seconds']:.1f} s",
               cpu=m.cpu_seconds / len(paths)), \
        {"seconds": data["seconds"], "loop_seconds": data["loop_seconds"], "command_seconds": m.seconds,
         "scores": data["scores"]}


def bench_otter(entries, k, workdir, env, timeout):
    base = Path(workdir) / "otter"
    master = base / "master" / otter_bench.MASTER_NAME
    from autograder.submissions import write_notebook
    write_notebook(otter_bench.master_notebook(fixed_tests.build_tests()), master)
    log("[otter] otter assign (once; runs the tests against the solution)")
    m = measure.run(otter_bench.assign_command(master, base / "dist"), env=env, timeout=timeout)
    if m.returncode != 0:
        raise RuntimeError(f"otter assign failed (exit {m.returncode}): {tail(m.stdout)} {tail(m.stderr)}")
    zip_path = otter_bench.find_zip(base / "dist")
    log(f"[otter] assign {m.seconds:.1f} s -> {zip_path.name}")
    paths = corpus.write_otter(entries, base / "submissions", otter_bench.ASSIGNMENT_NAME)
    runs, missing, scores = [], [], {}
    for e, p in zip(entries, paths):
        out = base / "out" / e.student
        out.mkdir(parents=True, exist_ok=True)
        r = measure.run(otter_bench.run_command(zip_path, out, p), env=env, timeout=timeout)
        runs.append(r)
        results = out / "results.json"
        if results.exists():
            doc = json.loads(results.read_text())
            scores[e.student] = round(sum(t.get("score", 0) for t in doc.get("tests", [])), 2)
        else:
            missing.append(e.student)
        log(f"[otter] {e.student} ({e.kind}): {r.seconds:.1f} s, exit {r.returncode}, "
            f"score {scores.get(e.student, 'none')}")
    med = statistics.median(r.seconds for r in runs)
    note = f"no results.json for {missing}" if missing else "results.json for every run"
    note += f"; otter assign {m.seconds:.0f} s once"
    return row("otter", "otter run (one submission per command)", len(runs), med, 60 / med,
               max(r.peak_tree_mib for r in runs), max(r.max_rss_mib for r in runs), med * k, True, note,
               cpu=statistics.median(r.cpu_seconds for r in runs)), \
        {"assign_seconds": m.seconds, "seconds": [r.seconds for r in runs], "scores": scores,
         "missing_results": missing, "kinds": {e.student: e.origin for e in entries}}


def bench_nbgrader(entries, k, workdir, env, timeout):
    course = nbgrader_bench.make_course(Path(workdir) / "nbgrader", fixed_tests.build_tests())
    log("[nbgrader] nbgrader generate_assignment ps1")
    g = measure.run(nbgrader_bench.generate_command(), cwd=course, env=env, timeout=timeout)
    if g.returncode != 0 or not nbgrader_bench.release_path(course).exists():
        raise RuntimeError(f"nbgrader generate_assignment failed (exit {g.returncode}): {tail(g.stderr)}")
    nbgrader_bench.submit(course, entries)
    n = len(entries)
    log(f"[nbgrader] nbgrader autograde ps1 ({n} students in one command)")
    m = measure.run(nbgrader_bench.autograde_command(), cwd=course, env=env, timeout=timeout)
    missing = [e.student for e in entries if not nbgrader_bench.autograded(course, e.student).exists()]
    if m.returncode != 0 or len(missing) == n:
        raise RuntimeError(f"nbgrader autograde failed (exit {m.returncode}): {tail(m.stderr)}")
    try:
        scores = nbgrader_bench.scores(course)
    except Exception as exc:          # the gradebook is only read for the sanity check
        scores = {"error": str(exc)}
    log(f"[nbgrader] autograde {m.seconds:.1f} s for {n}")
    note = f"not autograded: {missing}" if missing else "every submission autograded"
    note += f"; generate_assignment {g.seconds:.0f} s once"
    per = m.seconds / n
    return row("nbgrader", "nbgrader autograde (all students, one command)", n, per, 60 * n / m.seconds,
               m.peak_tree_mib, m.max_rss_mib, per * k, True, note, cpu=m.cpu_seconds / n), \
        {"generate_seconds": g.seconds, "seconds": m.seconds, "scores": scores, "missing": missing,
         "kinds": {e.student: e.origin for e in entries}}


def scores_agree(raw):
    """Whether rnngrade (sandboxed) and the in-process loop gave the same scores."""
    batch = raw.get("rnngrade", {}).get("check", {}).get("scores")
    floor = raw.get("floor", {}).get("scores")
    corpus_ids = list(raw.get("corpus", {}))
    if not batch or not floor or len(floor) != len(corpus_ids):
        return ""
    differ = [s for s, f in zip(corpus_ids, floor) if batch.get(s) is None or abs(batch[s] - f) > 1e-6]
    raw["scores_agree"] = not differ
    if not differ:
        return f"rnngrade and the in-process loop gave the same score to all {len(floor)} submissions"
    return f"rnngrade and the in-process loop disagree on {len(differ)} submissions: {differ[:10]}"


# ---------------------------------------------------------------------------
# the report

def _fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def table_rows(rows, k):
    header = ["method", "submissions timed", "median s/submission", "CPU s/submission",
              "throughput (submissions/min)", "peak memory MiB (tree, PSS)", "max RSS MiB (one process)",
              f"time for K={k} (s)"]
    lines = []
    for r in rows:
        if "failed" in r:
            lines.append([r["method"], "failed", "", "", "", "", "", ""])
            continue
        total = _fmt(r["total_for_k"], ".0f")
        if r["total_for_k"] is not None and r["extrapolated"]:
            total = f"~{total} (extrapolated)"
        lines.append([r["method"], str(r["n"]), _fmt(r["median"], ".3f"), _fmt(r.get("cpu"), ".3f"),
                      _fmt(r["throughput"], ".1f"),
                      _fmt(r["peak_tree_mib"], ".0f"), _fmt(r["max_rss_mib"], ".0f"), total])
    return header, lines


def ratios(rows):
    """Speed-ups of the rnngrade batch's median over each baseline's median."""
    by = {r["key"]: r for r in rows if "failed" not in r}
    base = by.get("rnngrade")
    out = []
    if base is None:
        return out
    m = base["median"]
    out.append(("rnngrade batch median s/submission", m, f"target < {TARGETS['median']}",
                m < TARGETS["median"]))
    for key, label in (("otter", "otter run"), ("nbgrader", "nbgrader autograde")):
        other = by.get(key)
        if other is not None:
            x = other["median"] / m
            out.append((f"rnngrade vs {label} (median ratio)", x, f"target >= {TARGETS[key]:g}x",
                        x >= TARGETS[key]))
    return out


def render_text(rows, k, info):
    header, lines = table_rows(rows, k)
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(l, widths)) for l in lines]
    out.append("")
    for label, value, target, met in ratios(rows):
        shown = f"{value:.3f} s" if "median s" in label else f"{value:.1f}x"
        out.append(f"{label}: {shown} ({target}: {'met' if met else 'NOT met'})")
    for r in rows:
        if "failed" in r:
            out.append(f"{r['method']} FAILED: {r['failed']}")
        elif r.get("note"):
            out.append(f"{r['method']}: {r['note']}")
    out.append(info)
    return "\n".join(out)


def render_markdown(rows, k, info):
    header, lines = table_rows(rows, k)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in l) + " |" for l in lines]
    out.append("")
    for label, value, target, met in ratios(rows):
        shown = f"{value:.3f} s" if "median s" in label else f"{value:.1f}x"
        out.append(f"- {label}: **{shown}** ({target}: {'met' if met else 'not met'})")
    for r in rows:
        if "failed" in r:
            out.append(f"- {r['method']} failed: {r['failed']}")
        elif r.get("note"):
            out.append(f"- {r['method']}: {r['note']}")
    out += ["", info.replace("\n", "\n\n"), ""]
    return "\n".join(out)


def describe_run(args, mix):
    versions = []
    for dist in ("otter-grader", "nbgrader", "numpy"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    return (f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}: K={args.k} "
            f"({mix['correct']} correct, {mix['buggy']} buggy, {mix['stub']} stubs), "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, {', '.join(versions)}.")


# ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="Throughput of rnngrade against otter run and nbgrader autograde.")
    p.add_argument("--k", type=int, default=200, help="submissions in the corpus (default 200)")
    p.add_argument("--jobs", type=int, default=2, help="rnngrade --jobs (default 2)")
    p.add_argument("--single-runs", type=int, default=5,
                   help="single-submission rnngrade commands to time (default 5)")
    p.add_argument("--otter-sample", type=int, default=10, help="submissions graded with otter run (default 10)")
    p.add_argument("--nbgrader-sample", type=int, default=20,
                   help="submissions autograded with nbgrader (default 20)")
    p.add_argument("--skip-otter", action="store_true")
    p.add_argument("--skip-nbgrader", action="store_true")
    p.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown here")
    p.add_argument("--raw", metavar="PATH", help="write every measurement as JSON here")
    p.add_argument("--workdir", metavar="DIR",
                   help="generate everything here and keep it (default: a temporary folder, removed)")
    p.add_argument("--timeout", type=float, default=1800, help="limit for any one command, seconds")
    args = p.parse_args(argv)
    if args.k < 1 or args.jobs < 1 or args.single_runs < 0 or args.otter_sample < 1 or args.nbgrader_sample < 1:
        p.error("--k, --jobs, --otter-sample and --nbgrader-sample must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    env = tool_env()
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = False
    else:
        workdir = Path(tempfile.mkdtemp(prefix="rnngrade-bench-"))
        cleanup = True
    rows, raw, failures = [], {}, 0
    try:
        log(f"[corpus] generating {args.k} submissions in {workdir}")
        entries = corpus.make_corpus(args.k)
        mix = corpus.counts(args.k)
        paths = corpus.write_plain(entries, workdir / "rnngrade")
        raw["corpus"] = {e.student: e.origin for e in entries}

        steps = [
            ("rnngrade", f"rnngrade grade --jobs {args.jobs} (one batch)",
             lambda: bench_rnngrade_batch(workdir / "rnngrade", args.k, args.jobs, env, args.timeout)),
            ("rnngrade_single", "rnngrade grade, one submission per command",
             lambda: bench_rnngrade_single([paths[entries.index(e)] for e in
                                            corpus.sample(entries, args.single_runs)],
                                           args.jobs, env, args.timeout) if args.single_runs else None),
            ("floor", "in-process loop (grade_source, no sandbox)",
             lambda: bench_floor(paths, env, workdir, args.timeout)),
        ]
        if not args.skip_otter:
            steps.append(("otter", "otter run (one submission per command)",
                          lambda: bench_otter(corpus.sample(entries, args.otter_sample), args.k,
                                              workdir, env, args.timeout)))
        if not args.skip_nbgrader:
            steps.append(("nbgrader", "nbgrader autograde (all students, one command)",
                          lambda: bench_nbgrader(corpus.sample(entries, args.nbgrader_sample), args.k,
                                                 workdir, env, args.timeout)))
        for key, label, step in steps:
            try:
                result = step()
            except Exception as exc:
                failures += 1
                log(f"[{key}] FAILED: {exc}")
                raw[key] = {"error": traceback.format_exc()}
                rows.append(failed_row(key, label, str(exc).splitlines()[0][:300]))
                continue
            if result is None:
                continue
            r, detail = result
            if r.get("note") and ("exit status" in r["note"] or "timed out" in r["note"]):
                failures += 1
            rows.append(r)
            raw[key] = detail
        agreement = scores_agree(raw)
        if agreement:
            log(f"[check] {agreement}")

        info = describe_run(args, mix)
        if agreement:
            info = f"Check: {agreement}.\n{info}"
        print(render_text(rows, args.k, info))
        if args.markdown:
            Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
            Path(args.markdown).write_text(render_markdown(rows, args.k, info), encoding="utf-8")
        if args.raw:
            Path(args.raw).parent.mkdir(parents=True, exist_ok=True)
            Path(args.raw).write_text(json.dumps({"rows": rows, "details": raw, "info": info}, indent=1))
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
