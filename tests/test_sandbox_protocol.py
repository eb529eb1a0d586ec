"""Unit tests of the sandbox's parent-side pieces that start no process:
the wire protocol (frames, data-only values, strict checks), the reading
of submission files, and Limits."""

import math

import numpy as np
import pytest

from autograder.sandbox import Limits
from autograder.sandbox import protocol as P
from autograder.sandbox.notebook import read_submission, to_python
from hostile_fixtures import hostile_dir

HOSTILE = hostile_dir()          # the fixtures composed with tests/files/zeros.py


def roundtrip(value, other=None):
    blobs = []
    refs = []

    def keep(v):
        refs.append(v)
        return {"t": "ref", "id": len(refs) - 1}
    node = P.encode(value, blobs, other or keep)
    frame = P.pack({"v": node}, blobs)
    reader = P.FrameReader(1 << 30)
    reader.feed(frame)
    msg, got_blobs = reader.next()
    return P.decode(msg["v"], got_blobs, lambda n: ("REF", refs[n["id"]]))


# ------------------------------------------------------------------ values

def test_plain_values_keep_their_types():
    value = [None, True, False, 0, -7, 2 ** 200, 1.5, -0.0, "héllo ✓", (1, [2, (3,)]), [],
             (), {"a": 1, "b": (2.5, None)}, {}]
    assert roundtrip(value) == value
    out = roundtrip(value)
    assert type(out[9]) is tuple and type(out[9][1]) is list and type(out[9][1][1]) is tuple
    assert math.copysign(1, out[6 + 1]) == -1.0


def test_nan_and_infinities_survive():
    out = roundtrip([float("nan"), math.inf, -math.inf, np.array([np.nan, np.inf, -np.inf])])
    assert math.isnan(out[0]) and out[1] == math.inf and out[2] == -math.inf
    assert np.array_equal(out[3], [np.nan, np.inf, -np.inf], equal_nan=True)


def test_arrays_keep_dtype_shape_and_values():
    arrays = [np.arange(12.0).reshape(3, 4), np.zeros((2, 0, 3)), np.array(5.0),
              np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(5, dtype=np.int32),
              np.array([True, False]), np.array([1 + 2j]), np.array(["ab", "c"]),
              np.arange(10.0)[::3], np.arange(4, dtype=">f8")]
    for a in arrays:
        b = roundtrip(a)
        assert type(b) is np.ndarray and b.shape == a.shape
        assert b.dtype == a.dtype.newbyteorder("=")
        assert np.array_equal(a, b)
        assert b.flags.writeable


def test_numpy_scalars_stay_numpy_scalars():
    for s in (np.float64(1.25), np.float32(2.5), np.int64(-3), np.bool_(True), np.complex128(1j)):
        out = roundtrip(s)
        assert type(out) is type(s) and out == s


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_ndarray_subclasses_arrive_as_plain_arrays():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True
    m = np.matrix([[1.0, 2.0]])
    for a in (m, np.zeros(3).view(Liar)):
        out = roundtrip(a)
        assert type(out) is np.ndarray


def test_non_data_becomes_a_reference():
    class Cache:
        pass
    c = Cache()
    out = roundtrip((np.ones(2), c, {1: "int key"}, {1, 2}, np.array([None], dtype=object),
                     1j, lambda: 0))
    assert out[1] == ("REF", c)
    assert [o[0] for o in out[1:]] == ["REF"] * 6


def test_common_subclasses_read_through_their_base():
    from collections import OrderedDict, namedtuple
    Pair = namedtuple("Pair", "a b")
    out = roundtrip([Pair(1, 2), OrderedDict(x=1)])
    assert out == [(1, 2), {"x": 1}] and type(out[0]) is tuple and type(out[1]) is dict


def test_self_referencing_list_does_not_recurse_forever():
    a = []
    a.append(a)
    out = roundtrip(a)
    depth = 0
    while isinstance(out, list):
        out = out[0]
        depth += 1
    assert out[0] == "REF" and depth <= P.MAX_DEPTH + 1


# ------------------------------------------------------------------ strictness

def frame_of(header, blobs=()):
    return P.pack(header, list(blobs))


@pytest.mark.parametrize("node", [
    {"t": "pickle", "v": "gASV"},
    {"t": "tuple", "v": 3},
    {"t": "tuple", "v": [], "extra": 1},
    {"t": "dict", "v": []},
    {"t": "nd", "b": 5},
    {"t": "nd", "b": "0"},
    {"t": "sc", "b": 0},              # a 3-element array is not a scalar
    {"no": "tag"},
])
def test_malformed_nodes_are_refused(node):
    blobs = [P.array_to_npy(np.zeros(3))]
    with pytest.raises(P.ProtocolError):
        P.decode(node, blobs, lambda n: None)


def npy_bytes(arr, **kwargs):
    import io
    buf = io.BytesIO()
    np.save(buf, arr, **kwargs)
    return buf.getvalue()


def test_object_and_structured_arrays_are_refused():
    obj = npy_bytes(np.array([{"a": 1}], dtype=object), allow_pickle=True)
    rec = npy_bytes(np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]))
    for blob in (obj, rec):
        with pytest.raises(P.ProtocolError):
            P.npy_to_array(blob)


def npy_header(shape, descr="<f8"):
    import io
    from numpy.lib import format as npy
    buf = io.BytesIO()
    npy.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def test_array_header_must_match_its_data():
    good = npy_bytes(np.arange(4.0))
    assert np.array_equal(P.npy_to_array(good), np.arange(4.0))
    data = np.arange(4.0).tobytes()
    assert np.array_equal(P.npy_to_array(npy_header((4,)) + data), np.arange(4.0))
    for bad in (good[:-8], good + b"\0" * 8, b"not npy at all",
                npy_header((5,)) + data, npy_header((2, 3)) + data,
                npy_header((4,), "|O") + data, npy_header((4,), "<V8") + data,
                npy_header((4,), [("a", "<f8")]) + data,
                # a huge shape claim is refused before anything is allocated
                npy_header((10 ** 12,)) + data, npy_header((2 ** 40, 2 ** 40)) + data):
        with pytest.raises(P.ProtocolError):
            P.npy_to_array(bad)


def test_too_deep_or_too_large_values_are_refused():
    node = 0
    for _ in range(P.MAX_DEPTH + 5):
        node = [node]
    with pytest.raises(P.ProtocolError):
        P.decode(node, [], lambda n: None)
    with pytest.raises(P.ProtocolError):
        P.decode(list(range(P.MAX_NODES + 1)), [], lambda n: None)


def test_frame_reader_rejects_garbage_and_oversized_frames():
    r = P.FrameReader(1000)
    with pytest.raises(P.ProtocolError):
        r.feed(b"garbage that is not a frame")
    r = P.FrameReader(1000)
    with pytest.raises(P.ProtocolError):
        r.feed(P.PREFIX.pack(P.MAGIC, 10, 10 ** 9))
    for body in (b"[1, 2]", b"{not json", b'{"blobs": [5]}', b'{"blobs": "x"}'):
        r = P.FrameReader(1000)
        r.feed(P.PREFIX.pack(P.MAGIC, len(body), 0) + body)
        with pytest.raises(P.ProtocolError):
            r.next()


def test_frame_reader_reassembles_split_frames():
    frames = frame_of({"a": 1}, [b"xyz"]) + frame_of({"b": 2})
    r = P.FrameReader(1000)
    got = []
    for i in range(len(frames)):
        r.feed(frames[i:i + 1])
        while (f := r.next()) is not None:
            got.append(f)
    assert [m for m, _ in got] == [{"a": 1, "blobs": [3]}, {"b": 2, "blobs": []}]
    assert got[0][1] == [b"xyz"]


def test_check_fields_is_exact():
    spec = {"r": P.is_str(5), "m": P.is_str_list(2, 3)}
    P.check_fields({"r": "ok", "m": ["a"], "blobs": []}, spec)
    for bad in ({"r": "ok"}, {"r": "ok", "m": [], "x": 1}, {"r": 1, "m": []},
                {"r": "ok", "m": ["a", "b", "c"]}, {"r": "ok", "m": ["abcd"]}):
        with pytest.raises(P.ProtocolError):
            P.check_fields(bad, spec)


# ------------------------------------------------------------------ files

def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


@pytest.mark.parametrize("name, data, words", [
    ("a.py", "", "empty"),
    ("a.py", "  \n\n", "empty"),
    ("a.py", b"def f():\x00 pass", "binary"),
    ("a.py", b"x = '\xff\xfe'", "UTF-8"),
    ("a.txt", "x = 1", "not a .py file"),
    ("a.ipynb", "{not json", "not valid JSON"),
    ("a.ipynb", "[1, 2]", "nbformat"),
    ("a.ipynb", '{"cells": []}', "nbformat"),
    ("a.ipynb", '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "no"}', "format"),
])
def test_bad_files_give_a_clear_reason(tmp_path, name, data, words):
    sub = read_submission(write(tmp_path, name, data))
    assert not sub.ok and words in sub.reason and sub.reason.endswith(".")


def test_hostile_notebooks_are_refused_with_reasons():
    expect = {"notebook_not_json.ipynb": "not valid JSON", "notebook_empty.ipynb": "empty",
              "notebook_binary.ipynb": "binary", "notebook_not_utf8.ipynb": "UTF-8",
              "notebook_wrong_schema.ipynb": "does not follow the Jupyter notebook format",
              "notebook_list.ipynb": "does not follow the Jupyter notebook format"}
    for name, words in expect.items():
        sub = read_submission(HOSTILE / name)
        assert not sub.ok and words in sub.reason, (name, sub.reason)


def test_missing_file_and_size_limit(tmp_path):
    assert "not a regular file" in read_submission(tmp_path / "nope.py").reason
    big = write(tmp_path, "big.py", "x = 1\n" * 1000)
    assert "larger than" in read_submission(big, max_bytes=100).reason


def test_py_file_is_one_cell_named_submission(tmp_path):
    sub = read_submission(write(tmp_path, "s.py", "\ufeffdef f():\n    return 1\n"))
    assert sub.ok and sub.kind == "py" and sub.module_name == "submission"
    assert sub.cells == [(1, "def f():\n    return 1\n")]


def test_notebook_cells_become_plain_python():
    sub = read_submission(HOSTILE / "notebook_magics.ipynb")
    assert sub.ok and sub.kind == "ipynb" and sub.module_name == "__main__"
    numbers = [n for n, _ in sub.cells]
    assert numbers == sorted(numbers) and 1 not in numbers     # cell 1 is markdown
    sources = {n: to_python(src) for n, src in sub.cells}     # as the child converts them
    assert "get_ipython().run_line_magic('matplotlib', 'inline')" in sources[2]
    assert "get_ipython().system(" in sources[2]
    assert "%%time" not in sources[5] and "def rnn_forward" in sources[5]
    assert "run_cell_magic('bash'" in sources[6]


def test_to_python_leaves_broken_code_for_the_child():
    assert "def broken(:" in to_python("def broken(:\n    pass\n")


def test_limits_validate_values_and_names():
    assert Limits().call_seconds == 10 and Limits().memory_bytes == 2 * 1024 ** 3
    assert Limits.from_mapping({"call_seconds": 2}).call_seconds == 2
    for bad in ({"call_seconds": -1}, {"open_files": 1.5}, {"isolation": "docker"},
                {"cpu_seconds": True}):
        with pytest.raises(ValueError):
            Limits.from_mapping(bad)
    with pytest.raises(ValueError, match="unknown"):
        Limits.from_mapping({"wall_seconds": 3})
