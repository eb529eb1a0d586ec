"""Parent side: SandboxedStudent, the Student that runs code in a child.

The grading process never imports or runs submission code. It reads and
validates the file (notebook.py), starts one worker child per submission
(worker.py, confined by confine.py) and calls the submission's functions
through a pipe protocol (protocol.py). See the package docstring for the
protections in each isolation mode.
"""

import atexit
import os
import secrets
import selectors
import time
import weakref
from pathlib import Path

import numpy as np

from autograder.sandbox import protocol as P
from autograder.sandbox.limits import Limits
from autograder.sandbox.notebook import read_submission, schema_failure
from autograder.sandbox.setupcfg import _hidden_paths, config  # noqa: F401  (_hidden_paths: tests)
from autograder.sandbox.spawn import (  # re-exported: SandboxError, isolation_mode...
    SandboxError, _close_child, _site_dirs, _spawn_child, _take_spare, _terminate,
    discard_spares, isolation_mode, prestart)
from autograder.student import LoadReport, Outcome, tame
from autograder.textsafe import one_line, printable

_LIVE = weakref.WeakSet()


class StudentRef:
    """An opaque reference to an object that lives in a submission's child
    process (a cache, any custom object). Pass it back to a later call of
    the same SandboxedStudent to hand the child its real object."""

    __slots__ = ("_owner", "_gen", "_id", "type_name", "__weakref__")

    def __init__(self, owner, gen, ref_id, type_name):
        self._owner = owner
        self._gen = gen
        self._id = ref_id
        self.type_name = type_name

    def __repr__(self):
        return f"<student object of type {self.type_name}>"


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


class _Violation(Exception):
    pass


class _StaleRef(Exception):
    pass


_BASE = {"n": P.is_str(64), "s": P.is_int, "r": P.is_str(16)}   # fields of every reply


def _clean(text, limit=300):
    """Text from the child (the student's process: any of it may be forged)
    as one printable line of at most ``limit`` characters."""
    return one_line(text, limit)


def _is_cell(v):
    return type(v) is int and 0 <= v <= 1_000_000


def _is_line(v):
    return v is None or (type(v) is int and 0 <= v <= 100_000_000)


def _is_rows(max_items, tests):
    """A test for a list of at most max_items rows [a, b, ...], one test per column."""
    return lambda v: (type(v) is list and len(v) <= max_items
                      and all(type(row) is list and len(row) == len(tests)
                              and all(t(x) for t, x in zip(tests, row)) for row in v))


# ------------------------------------------------------------------ the student

class SandboxedStudent:
    """A Student whose code runs in a confined child process.

        with SandboxedStudent("alice.ipynb") as student:
            student.load            # LoadReport
            student.has("rnn_forward")
            out = student.call("rnn_forward", x, h0, W_xh, W_hh, b_h)

    Same semantics as LocalStudent.call; errors in the student's code come
    back as Outcomes (kinds "exception", "timeout", "crash", "missing",
    "limit") and never raise here. After a crash or timeout the next call
    starts a fresh child (re-running the submission) until the submission's
    time budget or restart allowance is spent.

    meanwhile: a callable the grading process runs while the child starts
    (after the child has the submission, before its replies are read), so
    that the grader's own preparation overlaps the submission's start-up.

    Attributes: load (LoadReport), limits, isolation (mode used),
    protections (tuple of what was in place), restarts, seconds_used.
    """

    def __init__(self, path, limits=None, *, prestart=False, identity=(), meanwhile=None):
        self.path = Path(path)
        self.identity = tuple(identity)    # (st_dev, st_ino) the file must have, when given
        self._prestart = prestart
        self._meanwhile = meanwhile        # the caller's work while the child starts (open)
        self.limits = limits if limits is not None else Limits()
        if not isinstance(self.limits, Limits):
            raise TypeError("limits must be a Limits")
        self.load = LoadReport(ok=False, reason="The submission has not been loaded.")
        self.isolation = None
        self.protections = ()
        self.restarts = 0
        self.seconds_used = 0.0
        self._opened = False
        self._closed = False
        self._submission = None
        self._child = None
        self._gen = 0
        self._functions = frozenset()
        self._nonce = secrets.token_hex(16)
        self._seq = 0
        self._free = []
        self._stdout = bytearray()
        self._stderr = bytearray()
        self.output_dropped = 0
        self._output_noted = False
        self._question = None          # (id, budget s, seconds_used at its start)
        self._stopped = {}             # function -> (seconds it had, error, kind)

    # -------------------------------------------------------------- public
    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self):
        """Read the submission and start its child (raises SandboxError only
        when the grading machine cannot provide the sandbox)."""
        if self._opened:
            return self
        self._opened = True
        sub = read_submission(self.path, self.limits.submission_bytes, self.identity, validate=False)
        if not sub.ok:
            self.load = LoadReport(ok=False, reason=sub.reason, notes=list(sub.notes))
            return self
        self._submission = sub
        self.isolation = isolation_mode(self.limits.isolation)
        _LIVE.add(self)
        report = self._start(initial=True, meanwhile=self._while_starting)
        report.notes[:0] = sub.notes
        self.load = report
        return self

    def _while_starting(self):
        """The grading process's work while the first child starts: the
        notebook's schema check (a LoadReport when it fails), then the
        caller's ``meanwhile``."""
        failed = schema_failure(self._submission)
        if failed is not None:
            return LoadReport(ok=False, reason=failed.reason, notes=list(failed.notes))
        if self._meanwhile is not None:
            self._meanwhile()
        return None

    def has(self, name):
        if not self._opened:
            self.open()
        return bool(self.load.ok) and name in self._functions

    def begin_question(self, qid, share):
        """Start the checks of question ``qid``: until the next call of
        begin_question they may use ``share`` (0..1) of the submission's
        remaining time, but at least two calls' time (2 * call_seconds) when
        that much is left, so that one hanging call still leaves time for
        the question's other functions. A hang then costs only the
        questions whose checks call the hanging function."""
        left = max(self.limits.submission_seconds - self.seconds_used, 0.0)
        share = min(max(float(share), 0.0), 1.0)
        budget = max(left * share, min(left, 2 * self.limits.call_seconds))
        self._question = (str(qid), budget, self.seconds_used)

    def call(self, name, *args, opaque=(), timeout=None):
        """Call a student function; ``opaque``: positions of a returned tuple
        (a cache) to keep in the child as references instead of copying them;
        ``timeout``: this call's time limit in seconds (default
        limits.call_seconds). A function whose call was stopped for time is
        not run again with the same time or less: its later calls fail at once."""
        call_seconds = self.limits.call_seconds if timeout is None else float(timeout)
        if self._closed:
            raise RuntimeError("SandboxedStudent is closed")
        if not self._opened:
            self.open()
        if not self.load.ok:
            return Outcome(error=f"`{name}` could not be run: {self.load.reason}", kind="missing")
        if name not in self._functions:
            return Outcome(error=f"`{name}` is not defined", kind="missing")
        stopped = self._stopped.get(name)
        if stopped is not None and call_seconds <= stopped[0]:
            return Outcome(error=stopped[1], kind=stopped[2])
        if self._child is not None and self._child.proc.poll() is not None:
            self._stop(died=True)     # died between calls (e.g. a thread of an earlier call)
        try:
            blobs = []
            nodes = [P.encode(a, blobs, self._ref_node) for a in args]
        except _StaleRef as exc:
            return Outcome(error=f"could not be run: {exc}", kind="crash")
        refused = self._ready_child(name)
        if refused is not None:
            return refused
        return self._run_call(name, args, nodes, blobs, opaque, call_seconds)

    def _ready_child(self, name):
        """None when a child runs the submission and time is left for a
        call; else the Outcome saying why the call cannot run."""
        limited = self._limit_reached()
        if limited:
            return Outcome(error=f"was not run: {limited}", kind="limit")
        if self._child is None:
            self.restarts += 1
            report = self._start(initial=False)
            if not report.ok:
                limited = self._limit_reached(restarting=False)
                if limited:
                    return Outcome(error=f"was not run: {limited}", kind="limit")
                return Outcome(error="could not be run: the submission failed to restart "
                               f"after an earlier crash or timeout ({report.reason})", kind="crash")
            if name not in self._functions:
                return Outcome(error=f"`{name}` is not defined", kind="missing")
            limited = self._limit_reached(restarting=False)
            if limited:
                return Outcome(error=f"was not run: {limited}", kind="limit")
        return None

    def _run_call(self, name, args, nodes, blobs, opaque, call_seconds):
        """Send one call to the running child and turn the reply into an Outcome."""
        child = self._child
        left = self._time_left()
        budget_bound = left < call_seconds
        free = [i for g, i in self._free if g == child.gen]
        self._free.clear()
        seq = self._next_seq()
        frame = P.pack({"n": self._nonce, "s": seq, "op": "call", "name": name,
                        "args": nodes, "free": free,
                        "opaque": sorted(int(i) for i in opaque)}, blobs)
        start = time.monotonic()
        try:
            self._queue(child, frame)
            msg, rblobs = self._pump(child, seq, start + min(left, call_seconds))
            seconds = time.monotonic() - start
            return self._outcome(child, name, msg, rblobs, args, seconds)
        except _Timeout:
            seconds = time.monotonic() - start
            self._stop()
            return self._stopped_for_time(name, seconds, min(left, call_seconds), budget_bound)
        except _Died:
            seconds = time.monotonic() - start
            how = self._stop(died=True)
            return Outcome(error=f"crashed: the process running the submission {how}",
                           kind="crash", seconds=seconds)
        except _Violation as exc:
            seconds = time.monotonic() - start
            self._stop()
            return Outcome(error="crashed: the submission's process broke the grading protocol "
                           f"({_clean(str(exc), 200)})", kind="crash", seconds=seconds)
        finally:
            self.seconds_used += time.monotonic() - start

    def _stopped_for_time(self, name, seconds, given, budget_bound):
        """The Outcome of a call stopped after ``given`` seconds; later calls
        of the function with no more time than that fail at once."""
        if budget_bound:
            why = self._budget_text()
            self._stopped[name] = (given, f"was not run: an earlier call did not finish before "
                                   f"{why} ran out, so it was not run again", "limit")
            return Outcome(error=f"did not finish before {why} ran out", kind="limit",
                           seconds=seconds)
        self._stopped[name] = (given, f"did not finish within {given:g} s (an earlier call "
                               "timed out, so it was not run again)", "timeout")
        return Outcome(error=f"did not finish within {given:g} s", kind="timeout", seconds=seconds)

    def _time_left(self):
        """Seconds left for calls: of the submission, and of the current question."""
        left = self.limits.submission_seconds - self.seconds_used
        if self._question is not None:
            _, budget, started = self._question
            left = min(left, budget - (self.seconds_used - started))
        return left

    def _budget_text(self):
        """Which time budget binds now, for messages."""
        total = self.limits.submission_seconds
        if self._question is not None:
            qid, budget, started = self._question
            if budget - (self.seconds_used - started) < total - self.seconds_used:
                return (f"the time budget of the checks of {qid} ({budget:.1f} s, their share "
                        f"of the submission's {total:g} s)")
        return f"the submission's time budget of {total:g} s"

    def output(self):
        """(stdout, stderr) the submission printed, up to limits.output_bytes
        in total, safe to print: bytes that are not UTF-8 are shown as
        U+FFFD, control characters other than newlines as visible escapes."""
        if self._child is not None:
            self._drain_output(self._child)
        return (printable(self._stdout.decode("utf-8", "replace")),
                printable(self._stderr.decode("utf-8", "replace")))

    def close(self):
        """Kill the child and everything it started; delete its folder."""
        if self._closed:
            return
        self._closed = True
        self._opened = True
        self._stop()
        _LIVE.discard(self)

    def __del__(self):
        try:
            if not self._closed and self._child is not None:
                self.close()
        except Exception:
            pass

    # -------------------------------------------------------------- internals
    def _next_seq(self):
        self._seq += 1
        return self._seq

    def _limit_reached(self, restarting=True):
        if self.seconds_used >= self.limits.submission_seconds:
            return (f"the submission used up its time budget of "
                    f"{self.limits.submission_seconds:g} s")
        if self._time_left() <= 0:
            return f"{self._budget_text()} was used up"
        if restarting and self._child is None and self.restarts >= self.limits.max_restarts:
            return (f"the submission's process crashed or timed out "
                    f"{self.restarts + 1} times")
        return None

    def _ref_node(self, value):
        if isinstance(value, StudentRef):
            if value._owner is not self:
                raise ValueError("a StudentRef can only go back to the SandboxedStudent that returned it")
            if self._child is None or value._gen != self._child.gen:
                raise _StaleRef(f"it needs a {value.type_name} object returned before the "
                                "submission's process was restarted after a crash or timeout")
            return {"t": "ref", "id": value._id}
        raise TypeError(f"cannot send a {type(value).__name__} to a sandboxed submission")

    def _spawn(self):
        child = _take_spare(self.isolation, self.limits) or _spawn_child(self.isolation)
        if self._prestart:
            prestart(self.isolation)
        self._gen += 1
        child.gen = self._gen
        child.reader = P.FrameReader(self.limits.message_bytes)
        self._child = child
        return child

    def _start(self, initial, meanwhile=None):
        """Start a child, confine it, parse and run the submission: a LoadReport.

        meanwhile: run in this process once the child has its requests, while
        it starts; a LoadReport it returns ends the start (the child is
        stopped). The child's load time counts from its end (so it gives the
        submission time, never takes it)."""
        sub = self._submission
        limit = min(self.limits.load_seconds, self._time_left())
        start = time.monotonic()
        deadline = start + limit
        try:
            child = self._spawn()
        except SandboxError as exc:
            if initial:
                raise
            return LoadReport(ok=False, reason=str(exc))
        if child.setup_seq is not None:
            # a spare that was sent its setup when it started (spawn.prestart with a
            # setup, same limits): its requests go on under the nonce it was given
            self._nonce, self._seq = child.nonce, max(self._seq, child.setup_seq)
            s_setup, head = child.setup_seq, b""
        else:
            s_setup = self._next_seq()
            cfg, blobs = config(child, self.limits)
            head = P.pack({"n": self._nonce, "s": s_setup, "op": "setup", "cfg": cfg}, blobs)
        s_parse, s_load = self._next_seq(), self._next_seq()
        frames = (head
                  + P.pack({"n": self._nonce, "s": s_parse, "op": "parse", "kind": sub.kind,
                            "cells": [[n, src] for n, src in sub.cells]})
                  + P.pack({"n": self._nonce, "s": s_load, "op": "load",
                            "module": sub.module_name}))
        try:
            self._queue(child, frames)
            if meanwhile is not None:
                try:
                    failed = meanwhile()
                except BaseException:
                    self._stop()
                    raise
                if failed is not None:
                    self._stop()
                    return failed
                start = time.monotonic()
                deadline = start + limit
            failed = self._setup_phase(child, s_setup, deadline, initial)
            if failed is not None:
                return failed
            notes = self._parse_phase(child, s_parse, deadline, limit)
            if isinstance(notes, LoadReport):
                return notes
            return self._load_phase(child, s_load, deadline, limit, notes if initial else [])
        finally:
            self.seconds_used += time.monotonic() - start

    def _setup_phase(self, child, seq, deadline, initial):
        """Confinement (no submission code has run yet): None when ready,
        else a LoadReport (SandboxError on the first start: the grading
        machine cannot provide the sandbox)."""
        try:
            msg, _ = self._pump(child, seq, deadline)
        except (_Died, _Violation, _Timeout) as exc:
            diag = child.diag
            how = self._stop(died=isinstance(exc, _Died))
            err = ((child.diag or diag)[-2000:] + bytes(self._stderr[-2000:])).decode(
                "utf-8", "replace").strip()
            if isinstance(exc, _Died):
                problem = f"the sandbox process {how} during setup"
            else:
                problem = f"sandbox setup failed ({type(exc).__name__.strip('_').lower()})"
            if initial:
                raise SandboxError(f"{problem}: {err}") from None
            return LoadReport(ok=False, reason=problem)
        try:
            if msg.get("r") != "ready":
                raise P.ProtocolError(_clean(str(msg.get("e")), 1000))
            P.check_fields(msg, {**_BASE, "prot": P.is_str_list(50, 200)})
        except P.ProtocolError as exc:
            self._stop()
            if initial:
                raise SandboxError(f"sandbox setup failed: {exc}") from None
            return LoadReport(ok=False, reason="sandbox setup failed")
        if initial:
            self.protections = tuple(msg["prot"]) + ("process group killed with SIGKILL",)
        return None

    def _parse_phase(self, child, seq, deadline, limit):
        """The child compiles the cells (converting IPython syntax) before any
        of them runs, so its reply is trusted: the notes on syntax errors, or
        a LoadReport when nothing can be graded."""
        kind = self._submission.kind
        try:
            msg, _ = self._pump(child, seq, deadline)
            if msg.get("r") != "parsed":
                raise _Violation(_clean(str(msg.get("e") or "unexpected reply"), 300))
            P.check_fields(msg, {**_BASE, "errors": _is_rows(60, (_is_cell, _is_line, P.is_str(1100)))})
        except _Timeout:
            self._stop()
            what = ("The notebook's cells took longer than {:g} s to parse (IPython syntax such as "
                    "!commands and %magics is converted to Python first)" if kind == "ipynb"
                    else "The file took longer than {:g} s to compile")
            return LoadReport(ok=False, reason=what.format(limit) + ", so nothing could be graded.")
        except _Died:
            how = self._stop(died=True)
            return LoadReport(ok=False, reason=f"The process reading the submission's code {how}, "
                              "so nothing could be graded.")
        except (_Violation, P.ProtocolError) as exc:
            self._stop()
            return LoadReport(ok=False, reason="The submission's code could not be parsed "
                              f"({_clean(str(exc), 200)}), so nothing could be graded.")
        texts = [(cell, f" on line {line}" if line else "", _clean(text, 300))
                 for cell, line, text in msg["errors"]]
        if kind == "py" and texts:
            self._stop()
            return LoadReport(ok=False, reason=f"The file has a syntax error{texts[0][1]}: {texts[0][2]}.")
        return [f"The submission's cell {cell} has a syntax error{at}: {text}" for cell, at, text in texts]

    def _load_phase(self, child, seq, deadline, limit, notes):
        """Run the submission's cells: a LoadReport. Everything in the reply
        comes from a process the student controls: checked, cleaned, capped
        and labelled as the submission's."""
        try:
            msg, _ = self._pump(child, seq, deadline)
            if msg.get("r") == "bad":
                P.check_fields(msg, {**_BASE, "e": P.is_str(1100)})
                self._stop()
                return LoadReport(ok=False, notes=notes, reason="The submission failed while loading: "
                                  f"{_clean(msg['e'])}")
            if msg.get("r") != "loaded":
                raise _Violation("unexpected reply to load")
            P.check_fields(msg, {**_BASE, "notes": _is_rows(60, (_is_cell, P.is_str(1100))),
                                 "fns": P.is_str_list(5000, 200)})
        except _Timeout:
            self._stop()
            return LoadReport(ok=False, notes=notes, reason=f"Loading the submission did not finish "
                              f"within {limit:g} s, so nothing could be graded.")
        except _Died:
            how = self._stop(died=True)
            return LoadReport(ok=False, notes=notes, reason=f"The process running the submission "
                              f"{how} while loading, so nothing could be graded.")
        except (_Violation, P.ProtocolError) as exc:
            self._stop()
            return LoadReport(ok=False, notes=notes, reason="The submission broke the grading protocol "
                              f"while loading ({_clean(str(exc), 200)}), so nothing could be graded.")
        where = "cell {} " if self._submission.kind == "ipynb" else "file "
        notes = notes + [f"The submission's {where.format(cell)}raised {_clean(text)}"
                         for cell, text in msg["notes"]]
        fns = tuple(dict.fromkeys(f for f in msg["fns"] if f.isidentifier() and len(f) <= 100))
        self._functions = frozenset(fns)
        return LoadReport(ok=True, notes=notes, functions=fns)

    def _outcome(self, child, name, msg, blobs, args, seconds):
        r = msg.get("r")
        try:
            if r == "ok":
                P.check_fields(msg, {**_BASE, "v": lambda v: True, "m": P.is_str_list(1000, 2000)})
                value = tame(P.decode(msg["v"], blobs, lambda node: self._make_ref(child, node)))
                allowed = self._mutation_paths(args)
                mutated = tuple(m for m in msg["m"] if m in allowed[0]
                                or any(m == p or m.startswith(p + "[") for p in allowed[1]))
                return Outcome(value=value, mutated=mutated, seconds=seconds)
            if r == "exc":
                P.check_fields(msg, {**_BASE, "e": P.is_str(1100), "x": P.is_str_list(64, 200)})
                types = tuple(_clean(x, 100) for x in msg["x"])
                text = f"raised {types[0] if types else 'an exception'}"
                if msg["e"]:
                    text += f": {_clean(msg['e'])}"
                return Outcome(error=text, kind="exception", exc_types=types, seconds=seconds)
            if r == "missing":
                P.check_fields(msg, _BASE)
                return Outcome(error=f"`{name}` is not defined", kind="missing", seconds=seconds)
            if r == "bad":
                P.check_fields(msg, {**_BASE, "e": P.is_str(1100)})
                return Outcome(error=f"crashed: {_clean(msg['e'])}", kind="crash", seconds=seconds)
            raise P.ProtocolError(f"unknown reply {_clean(str(r), 40)}")
        except P.ProtocolError as exc:
            self._stop()
            return Outcome(error="crashed: the submission's process broke the grading protocol "
                           f"({_clean(str(exc), 200)})", kind="crash", seconds=seconds)

    def _make_ref(self, child, node):
        ref_id, type_name = node.get("id"), node.get("type")
        if (len(node) != 3 or type(ref_id) is not int or type(type_name) is not str
                or len(type_name) > 100):
            raise P.ProtocolError("malformed reference")
        ref = StudentRef(self, child.gen, ref_id, _clean(type_name, 100))
        weakref.finalize(ref, self._free.append, (child.gen, ref_id))
        return ref

    @staticmethod
    def _mutation_paths(args):
        """(array paths inside the arguments, argument paths of references)."""
        exact, prefixes = set(), []

        def walk(v, path):
            if isinstance(v, np.ndarray):
                exact.add(path)
            elif isinstance(v, dict):
                for k, x in v.items():
                    walk(x, f"{path}[{k!r}]")
            elif isinstance(v, (list, tuple)):
                for i, x in enumerate(v):
                    walk(x, f"{path}[{i}]")
            elif isinstance(v, StudentRef):
                prefixes.append(path)
        for i, a in enumerate(args):
            walk(a, f"arg {i}")
        return exact, prefixes

    # -------------------------------------------------------------- channel
    def _queue(self, child, data):
        child.outbuf += data
        self._write_some(child)

    def _write_some(self, child):
        while child.outbuf:
            try:
                n = os.write(child.req_w, child.outbuf[:1 << 20])
            except BlockingIOError:
                break
            except BrokenPipeError:
                child.outbuf = b""
                child.dead = True
                break
            child.outbuf = child.outbuf[n:]
        if child.outbuf and not child.want_write:
            child.sel.register(child.req_w, selectors.EVENT_WRITE, "req")
            child.want_write = True
        elif not child.outbuf and child.want_write:
            child.sel.unregister(child.req_w)
            child.want_write = False

    def _take_reply(self, child, seq):
        while True:
            try:
                frame = child.reader.next()
            except P.ProtocolError as exc:
                raise _Violation(str(exc)) from None
            if frame is None:
                return None
            msg, blobs = frame
            if msg.get("n") == self._nonce and msg.get("s") == seq:
                return msg, blobs
            # anything else is dropped: not ours, stale or forged

    def _read_replies(self, child):
        while True:
            try:
                data = os.read(child.resp_r, 1 << 20)
            except BlockingIOError:
                return
            if not data:
                child.resp_eof = True
                try:
                    child.sel.unregister(child.resp_r)
                except (KeyError, ValueError):
                    pass
                return
            try:
                child.reader.feed(data)
            except P.ProtocolError as exc:
                raise _Violation(str(exc)) from None

    def _read_output(self, child, fd, what, rounds=16):
        for _ in range(rounds):
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                try:
                    child.sel.unregister(fd)
                except (KeyError, ValueError):
                    pass
                return
            if what == "diag":
                child.diag = (child.diag + data)[-8192:]
            else:
                self._keep_output(self._stdout if what == "out" else self._stderr, data)

    def _keep_output(self, buf, data):
        room = self.limits.output_bytes - len(self._stdout) - len(self._stderr)
        if room > 0:
            buf += data[:room]
        if len(data) > room:
            self.output_dropped += len(data) - max(room, 0)
            if not self._output_noted:
                self._output_noted = True
                self.load.notes.append(
                    f"The submission printed more than {self.limits.output_bytes} bytes; "
                    "the rest of its output was not kept.")

    def _drain_output(self, child):
        for fd, what in ((child.out_r, "out"), (child.err_r, "err"), (child.diag_r, "diag")):
            try:
                child.sel.get_key(fd)
            except (KeyError, ValueError):
                continue
            self._read_output(child, fd, what, rounds=64)

    def _pump(self, child, seq, deadline):
        """Move bytes both ways until the reply numbered seq arrives."""
        while True:
            reply = self._take_reply(child, seq)
            if reply is not None:
                # bytes of later requests may still be queued: they are
                # written, in order, by the next pump
                return reply
            if child.dead or child.resp_eof:
                self._read_replies(child)
                reply = self._take_reply(child, seq)
                if reply is not None:
                    return reply
                self._drain_output(child)
                raise _Died()
            now = time.monotonic()
            if now >= deadline:
                raise _Timeout()
            for key, _ in child.sel.select(deadline - now):
                what = key.data
                if what == "resp":
                    self._read_replies(child)
                elif what == "req":
                    self._write_some(child)
                elif what == "dead":
                    child.dead = True
                    child.sel.unregister(child.pidfd)
                else:
                    self._read_output(child, key.fd, what)

    def _stop(self, died=False):
        """Kill the current child and all its processes; return how it
        ended (for messages)."""
        child, self._child = self._child, None
        if child is None:
            return "was not running"
        how = _terminate(child, died)
        self._drain_output(child)
        _close_child(child)
        return how


@atexit.register
def _close_all():
    for student in list(_LIVE):
        try:
            student.close()
        except Exception:
            pass
    discard_spares()
