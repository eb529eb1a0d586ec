"""The wire format between the grading process and the sandbox worker.

Used on both sides. Nothing here ever unpickles: a message is a JSON header
plus raw byte blobs, and a blob is a numpy array in .npy format read with
our own strict header check (``allow_pickle`` is never involved, object and
structured dtypes are refused, so lying ndarray subclasses arrive as plain
arrays).

Frame:  b"RGS1" | u32 json length | u64 blobs length | json | blob | blob ...
The JSON header lists the blob lengths under "blobs".

Values are encoded as JSON nodes:
  None, bool, int, float (NaN and infinities allowed), str  -> themselves
  list                       -> JSON array of nodes
  tuple                      -> {"t": "tuple", "v": [nodes]}
  dict with str keys         -> {"t": "dict", "v": {key: node}}
  numpy array                -> {"t": "nd", "b": blob index}
  numpy scalar               -> {"t": "sc", "b": blob index} (a 0-d array)
  anything else              -> {"t": "ref", "id": n[, "type": name]}, an
                                opaque reference to an object in the child
"""

import io
import json
import math

import numpy as np
from numpy.lib import format as npy

from .frames import MAGIC, MAX_JSON, PREFIX, FrameReader, ProtocolError, pack  # noqa: F401  (re-exported)

MAX_DEPTH = 64
MAX_NODES = 1_000_000
MAX_NDIM = 32
# bool, signed and unsigned integers, floats, complex, str, bytes
ARRAY_KINDS = frozenset("biufcUS")


# ---------------------------------------------------------------- arrays

_HEADER_CACHE = {}   # (dtype.str, shape, fortran) -> .npy header bytes
_PARSE_CACHE = {}    # .npy header bytes -> (shape, fortran, dtype, offset)


def array_ok(arr):
    """Whether an array can cross as data (plain numeric/str dtype)."""
    dt = arr.dtype
    return (dt.kind in ARRAY_KINDS and dt.fields is None and dt.subdtype is None
            and dt.itemsize > 0 and arr.ndim <= MAX_NDIM)


def array_to_npy(arr):
    """.npy bytes of a plain array (same bytes as np.save, header cached)."""
    arr = np.asarray(arr)
    fortran = arr.flags.f_contiguous and not arr.flags.c_contiguous
    key = (arr.dtype.str, arr.shape, fortran)
    head = _HEADER_CACHE.get(key)
    if head is None:
        buf = io.BytesIO()
        npy.write_array_header_1_0(buf, {"descr": npy.dtype_to_descr(arr.dtype),
                                          "fortran_order": fortran, "shape": arr.shape})
        head = buf.getvalue()
        if len(_HEADER_CACHE) < 512:
            _HEADER_CACHE[key] = head
    return head + arr.tobytes(order="F" if fortran else "C")


def npy_to_array(blob):
    """A plain, writable numpy array from .npy bytes, checked strictly."""
    if blob[:6] != b"\x93NUMPY" or len(blob) < 10:
        raise ProtocolError("array blob is not in .npy format")
    if blob[6:8] != b"\x01\x00":
        raise ProtocolError("unsupported .npy version")
    hlen = int.from_bytes(blob[8:10], "little")
    head = bytes(blob[:10 + hlen])
    parsed = _PARSE_CACHE.get(head)
    if parsed is None:
        f = io.BytesIO(head)
        try:
            npy.read_magic(f)
            shape, fortran, dtype = npy.read_array_header_1_0(f, max_header_size=4096)
        except Exception as exc:   # numpy raises several types for bad headers
            raise ProtocolError(f"bad .npy header ({type(exc).__name__})") from None
        if not (type(shape) is tuple and len(shape) <= MAX_NDIM
                and all(type(n) is int and n >= 0 for n in shape)):
            raise ProtocolError("bad array shape")
        if not (dtype.kind in ARRAY_KINDS and dtype.fields is None
                and dtype.subdtype is None and dtype.itemsize > 0 and not dtype.hasobject):
            raise ProtocolError(f"refused array dtype {dtype.str}")
        parsed = (shape, bool(fortran), dtype, f.tell())
        if len(_PARSE_CACHE) < 512:
            _PARSE_CACHE[head] = parsed
    shape, fortran, dtype, offset = parsed
    count = math.prod(shape)
    if len(blob) - offset != count * dtype.itemsize:
        raise ProtocolError("array data length does not match its header")
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    if fortran:
        arr = flat.reshape(shape[::-1]).transpose()
    else:
        arr = flat.reshape(shape)
    if not dtype.isnative:
        return arr.astype(dtype.newbyteorder("="))
    return arr.copy(order="K")


# ---------------------------------------------------------------- values

def encode(value, blobs, other, depth=0):
    """JSON node for a value; arrays are appended to blobs.

    other(value) is called for anything that is not plain data (and for
    data nested deeper than MAX_DEPTH) and must return a node or raise.
    Exact types are tested first so that subclasses cannot redirect the
    encoding through overridden methods; common subclasses (namedtuple,
    OrderedDict, IntEnum) are read through their base class.
    """
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if value.bit_length() <= 4000 else other(value)
    if t is float:
        return value
    if depth >= MAX_DEPTH:
        return other(value)
    if t is list:
        return [encode(v, blobs, other, depth + 1) for v in value]
    if t is tuple:
        return {"t": "tuple", "v": [encode(v, blobs, other, depth + 1) for v in value]}
    if t is dict:
        if all(type(k) is str for k in value):
            return {"t": "dict", "v": {k: encode(v, blobs, other, depth + 1) for k, v in value.items()}}
        return other(value)
    if isinstance(value, np.ndarray):
        arr = np.ndarray.view(value, np.ndarray)
        if array_ok(arr):
            blobs.append(array_to_npy(arr))
            return {"t": "nd", "b": len(blobs) - 1}
        return other(value)
    if isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.ndim == 0 and array_ok(arr):
            blobs.append(array_to_npy(arr))
            return {"t": "sc", "b": len(blobs) - 1}
        return other(value)
    if isinstance(value, bool):
        return bool(int.__int__(value))
    if isinstance(value, int):
        v = int.__int__(value)
        return v if v.bit_length() <= 4000 else other(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [encode(v, blobs, other, depth + 1) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return [encode(v, blobs, other, depth + 1) for v in list.__iter__(value)]
    if isinstance(value, dict):
        items = list(dict.items(value))
        if all(type(k) is str for k, _ in items):
            return {"t": "dict", "v": {k: encode(v, blobs, other, depth + 1) for k, v in items}}
    return other(value)


class _Budget:
    __slots__ = ("left",)

    def __init__(self, n):
        self.left = n


def decode(node, blobs, resolve_ref, depth=0, budget=None):
    """The value of a node, checked strictly (raises ProtocolError).

    resolve_ref(node) turns a {"t": "ref", ...} node into an object.
    """
    if budget is None:
        budget = _Budget(MAX_NODES)
    budget.left -= 1
    if budget.left < 0:
        raise ProtocolError("value has too many parts")
    if depth > MAX_DEPTH + 1:
        raise ProtocolError("value nested too deeply")
    t = type(node)
    if node is None or t is bool or t is int or t is float or t is str:
        return node
    if t is list:
        return [decode(v, blobs, resolve_ref, depth + 1, budget) for v in node]
    if t is not dict:
        raise ProtocolError(f"unexpected JSON type {t.__name__}")
    tag = node.get("t")
    if tag == "tuple" or tag == "dict":
        if len(node) != 2 or "v" not in node:
            raise ProtocolError(f"malformed {tag} node")
        v = node["v"]
        if tag == "tuple":
            if type(v) is not list:
                raise ProtocolError("malformed tuple node")
            return tuple(decode(x, blobs, resolve_ref, depth + 1, budget) for x in v)
        if type(v) is not dict:
            raise ProtocolError("malformed dict node")
        return {k: decode(x, blobs, resolve_ref, depth + 1, budget) for k, x in v.items()}
    if tag == "nd" or tag == "sc":
        b = node.get("b")
        if len(node) != 2 or type(b) is not int or not 0 <= b < len(blobs):
            raise ProtocolError(f"malformed {tag} node")
        arr = npy_to_array(blobs[b])
        if tag == "sc":
            if arr.ndim != 0:
                raise ProtocolError("scalar node holds an array")
            return arr[()]
        return arr
    if tag == "ref":
        return resolve_ref(node)
    raise ProtocolError(f"unknown node tag {tag!r}")


# ---------------------------------------------------------------- checks

def check_fields(msg, spec):
    """Check that msg has exactly the keys of spec (plus "blobs"), each
    passing its test; raises ProtocolError."""
    keys = set(msg) - {"blobs"}
    if keys != set(spec):
        raise ProtocolError(f"unexpected message fields {sorted(keys ^ set(spec))}")
    for key, test in spec.items():
        if not test(msg[key]):
            raise ProtocolError(f"bad message field {key!r}")


def is_str(max_len):
    return lambda v: type(v) is str and len(v) <= max_len


def is_str_list(max_items, max_len):
    return lambda v: (type(v) is list and len(v) <= max_items
                      and all(type(s) is str and len(s) <= max_len for s in v))


def is_bool(v):
    return type(v) is bool


def is_int(v):
    return type(v) is int
