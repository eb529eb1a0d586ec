"""The oracle seam: where the checks get the answer key's outputs, and which cases they use.

Checks never import the answer key. They ask the active Mode:

    mode = oracle.current()
    mode.profile.shapes                        # which cases (profile.py)
    h, token = mode.oracle.call("rnn_step_forward", x, h_prev, W_xh, W_hh, b_h)
    grads = mode.oracle.call("rnn_step_backward", dh, token)

Three oracles answer ``call(name, *args)``:

- the hidden oracle (hidden.py, never shipped) calls the answer key;
- RecordingOracle wraps another oracle and keeps every answer, keyed by the
  function's name and a digest of its inputs (``records()``, ``dumps()``);
- ReplayOracle answers from recorded data only, and refuses a call that was
  not recorded (UnrecordedCall): the public checks ship with it.

A forward's cache never reaches a check: the oracle hands out a CacheToken
(the digest of the forward call), which a backward call takes in its place;
the hidden oracle keeps the real cache behind the token, a replay needs none.

Without ``using(...)`` the hidden Mode is active (hidden.py, loaded lazily):
``rnngrade grade`` sees exactly the checks it always had.
"""

import contextlib
import hashlib
import json
from dataclasses import dataclass

import numpy as np

# Contract functions whose last return value is a cache for the backward.
FORWARDS = frozenset({"rnn_step_forward", "rnn_forward", "lstm_step_forward", "lstm_forward",
                      "gru_step_forward", "gru_forward"})
FORMAT = 1            # version of the recorded data's layout


class UnrecordedCall(LookupError):
    """A replay oracle was asked something it has no record of."""


@dataclass(frozen=True)
class CacheToken:
    """Stands for the cache of one forward call (its digest) in checks and records."""
    digest: str


def digest(name, args):
    """A stable digest of a call: the function's name and its inputs.

    Float arrays and numbers enter rounded to float32, so the same case built
    with another numpy build (an ulp apart in logspace or a product) has the
    same digest; the replayed outputs are then compared at the usual tolerances.
    """
    h = hashlib.sha256(name.encode())
    _feed(h, args)
    return h.hexdigest()[:32]


def _feed(h, value):
    """Hash one value canonically (type tags, shapes, sorted dict keys)."""
    if isinstance(value, CacheToken):
        h.update(b"C" + value.digest.encode())
    elif isinstance(value, np.ndarray):
        arr = value.astype(np.float32) if value.dtype.kind == "f" else value
        h.update(f"A{arr.dtype.str}{arr.shape}".encode())
        h.update(np.ascontiguousarray(arr).tobytes())
    elif isinstance(value, dict):
        h.update(f"D{len(value)}".encode())
        for key in sorted(value):
            h.update(repr(key).encode())
            _feed(h, value[key])
    elif isinstance(value, (list, tuple)):
        h.update(f"{'L' if isinstance(value, list) else 'T'}{len(value)}".encode())
        for item in value:
            _feed(h, item)
    elif isinstance(value, (float, np.floating)):
        h.update(b"F" + np.float32(value).tobytes())
    else:
        h.update(f"S{type(value).__name__}:{value!r}".encode())


# -- recorded data: JSON, no pickle -------------------------------------------

def encode(value):
    """A returned value as JSON data (arrays, dicts, tuples, floats, tokens)."""
    if isinstance(value, CacheToken):
        return {"cache": value.digest}
    if isinstance(value, np.ndarray):
        return {"array": np.asarray(value, dtype=np.float64).ravel().tolist(), "shape": list(value.shape)}
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(v) for v in value]}
    if isinstance(value, np.floating):
        return {"float64": float(value)}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return {"value": value}
    raise TypeError(f"cannot record a {type(value).__name__}")


def decode(data):
    """The inverse of encode."""
    (kind, body), = ((k, v) for k, v in data.items() if k != "shape")
    if kind == "cache":
        return CacheToken(body)
    if kind == "array":
        return np.array(body, dtype=np.float64).reshape(data["shape"])
    if kind == "dict":
        return {k: decode(v) for k, v in body.items()}
    if kind in ("tuple", "list"):
        items = [decode(v) for v in body]
        return tuple(items) if kind == "tuple" else items
    if kind == "float64":
        return np.float64(body)
    return body


# -- oracles ----------------------------------------------------------------

class RecordingOracle:
    """Answers from another oracle and records each answer by call digest."""

    def __init__(self, inner):
        self.inner = inner
        self._records = {}

    def call(self, name, *args):
        value = self.inner.call(name, *args)
        self._records[digest(name, args)] = {"function": name, "value": encode(value)}
        return value

    def seconds(self, backward, *args):
        raise UnrecordedCall("the cost of the answer key is not recorded")

    def records(self):
        return dict(self._records)

    def dumps(self):
        """The records as JSON text; the same calls always give the same bytes."""
        return json.dumps({"format": FORMAT, "records": self._records}, sort_keys=True,
                          separators=(",", ":"), allow_nan=False) + "\n"


class ReplayOracle:
    """Answers only from recorded data (``RecordingOracle.dumps()`` text)."""

    def __init__(self, text):
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"recorded data of format {data.get('format')!r}; expected {FORMAT}")
        self._records = data["records"]

    def call(self, name, *args):
        record = self._records.get(digest(name, args))
        if record is None or record["function"] != name:
            raise UnrecordedCall(f"no recorded answer for this call of `{name}`: the public checks "
                                 "know only their own public cases")
        return decode(record["value"])

    def seconds(self, backward, *args):
        raise UnrecordedCall("the public checks do not time the answer key")


# -- the active mode ---------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Mode:
    """Which cases (a profile.Profile) and which oracle the checks use now.

    Compared by identity, so the checks' caches keep one entry per Mode.
    """
    profile: object
    oracle: object


_active = []


def current():
    """The active Mode: the innermost ``using``, else the hidden one."""
    if _active:
        return _active[-1]
    from . import hidden        # not in the public bundle: only rnngrade's own checks get here
    return hidden.mode()


@contextlib.contextmanager
def using(mode):
    """Run the checks under another Mode (public profile, recording or replay oracle)."""
    _active.append(mode)
    try:
        yield mode
    finally:
        _active.pop()
