"""Child side: the sandbox worker that runs one submission.

Started through boot.py (see there for the process layout). It talks to
the grading process only through two dedicated pipes (rfd: requests,
wfd: replies); its stdout and stderr belong to the student and are never
parsed. Requests, in order:

  setup   confine the process (private root, rlimits, user nobody or no
          capabilities); reply "ready" with the protections in place.
          No student code has run yet, so this reply can be trusted.
  parse   compile every cell (IPython syntax converted first), under the
          load time limit; reply "parsed" with the syntax errors. Still no
          student code has run: this reply can be trusted too.
  load    run the compiled cells in one namespace; reply "loaded" with
          notes (what a cell raised) and the names of the callables.
  call    call one function; reply "ok" (value, mutated argument paths),
          "exc" (message, exception class names), "missing" or "bad".

Everything after the first student line runs in a process the student
controls: the student can monkeypatch this module, numpy, or write to the
reply pipe. The grading process therefore trusts nothing it receives
beyond what the student could have returned anyway: every reply is
validated strictly, tagged with the run's nonce and sequence number, and
decoded without pickle. In particular the mutation report comes from here
(only the child sees its own memory); a cheat can hide its own mutation,
which gains it nothing but the mutation check.
"""

import builtins
import os
import sys

import numpy as np

from autograder.sandbox.mplfonts import NAME as _FONT_LIST
from autograder.sandbox.notebook import to_python
from autograder.sandbox.protocol import FrameReader, ProtocolError, decode, encode, pack
from autograder.student import changed_paths, describe_exception, snapshot

_read = os.read
_write = os.write
_exit = os._exit

MAX_NOTES = 50


class _Nothing:
    """Any attribute, any call: nothing (hooks, events, config...)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return None


class _Shell(_Nothing):
    """Stand-in for IPython's shell: magics and shell commands do nothing."""

    def getoutput(self, *args, **kwargs):
        return []


_SHELL = _Shell()


def get_ipython():
    return _SHELL


def display(*objs, **kwargs):
    return None


def _safe_describe(exc, prefix="raised "):
    try:
        text = describe_exception(exc)[len("raised "):]
    except BaseException:
        text = type.__getattribute__(type(exc), "__name__")
    text = prefix + text
    return text if len(text) <= 1000 else text[:1000] + "..."


def _exc_message(exc):
    """str(exc), cut to 1000 characters ("" when it cannot be had)."""
    try:
        text = str(exc)
    except BaseException:
        return ""
    return text if len(text) <= 1000 else text[:1000] + "..."


def _compile(source, filename, notebook):
    """(code, None) or (None, (line, message)) for one cell's source."""
    try:
        return compile(source, filename, "exec", dont_inherit=True), None
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        if notebook:
            converted = to_python(source)
            if converted != source:
                return _compile(converted, filename, False)
        line = getattr(exc, "lineno", None)
        text = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        return None, (line if type(line) is int else None, str(text)[:1000])


def _line_of(exc, filename):
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _same(before, after):
    """Fast check that changed_paths(before, after) would find nothing:
    byte-identical arrays in the same structure. False when unsure (then
    changed_paths decides)."""
    if isinstance(before, np.ndarray):
        return (type(after) is np.ndarray and after.shape == before.shape
                and after.dtype == before.dtype and after.tobytes() == before.tobytes())
    if isinstance(before, dict):
        return isinstance(after, dict) and all(k in after and _same(v, after[k])
                                               for k, v in before.items())
    if isinstance(before, (list, tuple)):
        return (isinstance(after, (list, tuple)) and len(after) == len(before)
                and all(_same(b, a) for b, a in zip(before, after)))
    return True


class Worker:
    def __init__(self, rfd, wfd):
        self.rfd = rfd
        self.wfd = wfd
        self.reader = FrameReader(1 << 40)
        self.nonce = None
        self.seq = -1
        self.refs = {}
        self.next_ref = 1
        self.ns = None
        self.max_reply = 64 << 20

    # ------------------------------------------------------------ channel
    def recv(self):
        while True:
            frame = self.reader.next()
            if frame is not None:
                return frame
            data = _read(self.rfd, 1 << 20)
            if not data:
                _exit(0)
            self.reader.feed(data)

    def send(self, header, blobs=()):
        data = pack(header, list(blobs))
        if len(data) > self.max_reply:
            header = {"r": "bad", "n": header["n"], "s": header["s"],
                      "e": f"its return value is too large to send back ({len(data) >> 20} MiB)"}
            data = pack(header, [])
        data = memoryview(data)
        while data:
            n = _write(self.wfd, data)
            data = data[n:]

    def run(self):
        handlers = {"setup": self.setup, "parse": self.parse, "load": self.load,
                    "call": self.call}
        while True:
            try:
                msg, blobs = self.recv()
            except ProtocolError:
                _exit(3)
            seq = msg.get("s")
            if self.nonce is None:
                self.nonce = msg.get("n")
            if msg.get("n") != self.nonce or type(seq) is not int or seq <= self.seq:
                continue
            self.seq = seq
            handler = handlers.get(msg.get("op"))
            try:
                if handler is None:
                    raise ValueError(f"unknown request {msg.get('op')!r}")
                reply, rblobs = handler(msg, blobs)
            except BaseException as exc:   # worker-level failure, maybe caused by student code
                reply, rblobs = {"r": "bad", "e": _safe_describe(exc)}, []
            reply["n"] = self.nonce
            reply["s"] = seq
            try:
                self.send(reply, rblobs)
            except OSError:
                _exit(4)

    # ------------------------------------------------------------ requests
    def setup(self, msg, blobs):
        cfg = msg["cfg"]
        mode = cfg["mode"]
        self.max_reply = cfg["message_bytes"]
        from autograder.sandbox import confine, imports
        prot = ["separate process", "isolated Python (-I -S)", "minimal environment"]
        if mode in ("root", "userns"):
            prot += ["PID namespace", "network namespace (no network)", "mount namespace"]
            prot += confine.build_root(cfg)
        else:
            os.chdir(cfg["cwd"])
            confine.become_subreaper()
        confine.set_rlimits(cfg["rlimits"])
        prot.append("resource limits")
        prot += confine.kernel_state(cfg)
        if mode == "root" or (mode == "none" and os.geteuid() == 0):
            # never run submission code as root, even without namespaces
            # (as root, kill(-1, SIGKILL) alone would end every process)
            confine.drop_to_user(cfg["uid"], cfg["gid"])
            prot.append(f"user {cfg['user']} (uid {cfg['uid']})")
        elif mode == "userns":
            confine.drop_caps()
            prot.append("no capabilities")
        confine.no_new_privs()
        prot.append("no new privileges")
        _seed_fonts(cfg.get("fonts") or [], blobs)
        confine.die_with_parent()
        self._student_process()
        imports.install(cfg.get("forbidden", ()))      # refused with a message saying why
        _preload(cfg.get("preload") or [])
        return {"r": "ready", "prot": prot}, []

    def _student_process(self):
        """What the submission sees of the interpreter."""
        import _sitebuiltins
        builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
        builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
        builtins.help = _sitebuiltins._Helper()
        sys.argv = ["submission"]

    def parse(self, msg, blobs):
        """Compile every cell before any of them runs (so this reply can be
        trusted, and its time is the parsing's alone). A notebook cell that
        is not plain Python is converted with IPython's transformer first
        (magics, !commands). Reply "parsed" with the syntax errors found:
        [cell number, line or None, message]."""
        kind = msg["kind"]
        self.code, errors = [], []
        for index, source in msg["cells"]:
            filename = f"<cell {index}>" if kind == "ipynb" else "submission.py"
            code, error = _compile(source, filename, kind == "ipynb")
            if error is not None:
                errors.append([index, *error])
                if kind == "py":
                    break
            self.code.append((index, filename, code))
        return {"r": "parsed", "errors": errors[:MAX_NOTES]}, []

    def load(self, msg, blobs):
        """Run the compiled cells in one namespace; reply "loaded" with notes
        ([cell number, what the cell raised]) and the callables defined."""
        ns = {"__name__": msg["module"], "__builtins__": builtins,
              "get_ipython": get_ipython, "display": display}
        self.ns = ns
        notes = []
        for index, filename, code in self.code:
            if code is None:
                continue
            try:
                exec(code, ns)
            except BaseException as exc:   # the student's error: a note, then go on
                line = _line_of(exc, filename)
                if len(notes) < MAX_NOTES:
                    notes.append([index, _safe_describe(exc, prefix="")
                                  + (f" (line {line})" if line else "")])
            finally:
                self._flush()
        fns = []
        for name, value in list(ns.items()):
            if (type(name) is str and name.isidentifier() and not name.startswith("__")
                    and value is not get_ipython and value is not display and callable(value)):
                fns.append(name)
        return {"r": "loaded", "notes": notes, "fns": fns[:5000]}, []

    def _other(self, value):
        ref = self.next_ref
        self.next_ref += 1
        self.refs[ref] = value
        return {"t": "ref", "id": ref, "type": type(value).__name__[:100]}

    def _resolve(self, node):
        ref = node.get("id")
        if len(node) != 2 or type(ref) is not int or ref not in self.refs:
            raise ProtocolError("unknown reference")
        return self.refs[ref]

    def call(self, msg, blobs):
        for ref in msg["free"]:
            self.refs.pop(ref, None)
        fn = self.ns.get(msg["name"]) if self.ns is not None else None
        if not callable(fn):
            return {"r": "missing"}, []
        args = [decode(a, blobs, self._resolve) for a in msg["args"]]
        before = [snapshot(a) for a in args]
        try:
            value = fn(*args)
        except BaseException as exc:   # the student's error, reported
            self._flush()
            return {"r": "exc", "e": _exc_message(exc),
                    "x": [c.__name__[:200] for c in type(exc).__mro__][:64]}, []
        self._flush()
        mutated = []
        for i, (b, a) in enumerate(zip(before, args)):
            if not _same(b, a):
                mutated += changed_paths(b, a, f"arg {i}")
        out = []
        opaque = msg.get("opaque") or []
        try:
            if opaque and isinstance(value, (tuple, list)):
                # positions the grader never reads (a cache): a reference, whatever they hold
                items = [self._other(v) if i in opaque else encode(v, out, self._other, 1)
                         for i, v in enumerate(tuple.__iter__(value) if isinstance(value, tuple)
                                               else list.__iter__(value))]
                node = {"t": "tuple", "v": items} if isinstance(value, tuple) else items
            else:
                node = encode(value, out, self._other)
        except BaseException as exc:
            return {"r": "bad", "e": f"its return value could not be read ({_safe_describe(exc)})"}, []
        return {"r": "ok", "v": node, "m": mutated[:1000]}, out

    @staticmethod
    def _flush():
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass


def _preload(names):
    """Import the modules a platform's entry point named (the submission's own
    first imports: platforms/single.py) now, confined, as the submission's
    user, so that they load while the grading process starts; the
    submission's import then finds them loaded. A failure is left for the
    submission's own import to meet and report."""
    if type(names) is not list:
        return
    for name in names[:10]:
        if type(name) is str and name and all(part.isidentifier() for part in name.split(".")):
            try:
                __import__(name)
            except BaseException:
                pass


def _seed_fonts(names, blobs):
    """Copy the grading user's matplotlib font lists (sandbox/mplfonts.py) into
    this child's MPLCONFIGDIR, as the child's user, before any submission code:
    matplotlib then does not scan the machine's fonts again. Best effort."""
    folder = os.environ.get("MPLCONFIGDIR")
    if not folder or type(names) is not list:
        return
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        for name, data in zip(names, blobs):
            if type(name) is str and _FONT_LIST.fullmatch(name):
                with open(os.path.join(folder, name), "xb") as f:
                    f.write(data)
    except OSError:
        pass


def main(import_root, rfd, wfd):
    """Run the worker on the request/reply pipes (called by boot.main)."""
    # the grader's own code is loaded now; the submission gets no path to it
    while import_root in sys.path:
        sys.path.remove(import_root)
    sys.path_importer_cache.clear()
    Worker(rfd, wfd).run()
