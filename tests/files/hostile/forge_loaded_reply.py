"""Forges the worker's replies, nonce and all: "loaded", "exc" and malformed ones.

Trick: student code reaches the worker object through gc, reads the run's
nonce and the sequence number of the request being answered, and writes
its own reply before the real one: a "loaded" reply whose note holds a
spreadsheet formula, newlines, a terminal escape and a fake grade-table
row, and whose function list holds names with newlines and overlong names;
and, for one call, an "exc" reply whose exception type and message do the
same; and a reply whose unexpected field names do. The grading process
takes such replies as the submission's own words: every string is capped,
made one line, and labelled as the submission's, so nothing looks like
grader output or adds a row anywhere.
"""
import gc
import json
import os
import struct

FAKE_ROW = "\n| mallory | 100 / 100 | graded |\nmallory,100,100,graded\n"
FORMULA = '=HYPERLINK("http://example.invalid/","full marks")'
JUNK = FORMULA + FAKE_ROW + "\x1b[2J\u202e" + "A" * 900


def _worker():
    for obj in gc.get_objects():
        if type(obj).__name__ == "Worker" and hasattr(obj, "wfd"):
            return obj
    return None


def _send(header):
    w = _worker()
    header.update({"n": w.nonce, "s": w.seq, "blobs": []})
    text = json.dumps(header).encode()
    os.write(w.wfd, b"RGS1" + struct.pack(">IQ", len(text), 0) + text)


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def forge_field_names():
    """A reply with 100 unexpected fields whose names hold rows and newlines."""
    _send({"r": "ok", "v": 1, "m": [], **{FAKE_ROW + "x" * 50 * i: 1 for i in range(100)}})
    return 2


def decay_rate(norms):
    _send({"r": "exc", "e": JUNK, "x": ["ValueError" + FAKE_ROW, "Exception"]})
    return 0.0


_send({"r": "loaded", "notes": [[3, JUNK]],
       "fns": [n for n, v in list(globals().items()) if callable(v) and not n.startswith("_")]
       + ["not an identifier" + FAKE_ROW, "x" * 150]})
