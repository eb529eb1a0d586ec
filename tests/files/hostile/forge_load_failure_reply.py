"""Forges a "bad" reply to the load request: a load failure with a crafted reason.

Trick: the worker's nonce and sequence number are in the child's memory
(gc), so student code can answer the load request itself, before the real
reply, claiming the load failed with a reason that holds a spreadsheet
formula, newlines and a fake grade-table row. The row is an error row all
the same (that is what the submission asked for), and its reason is one
capped line labelled "The submission failed while loading: ...".
"""
import gc
import json
import os
import struct

REASON = ('=HYPERLINK("http://example.invalid/","x")\n| mallory | 100 / 100 | graded |\n'
          "mallory,100,100,graded\n\x1b]0;title\x07" + "B" * 900)


def _forge():
    for obj in gc.get_objects():
        if type(obj).__name__ == "Worker" and hasattr(obj, "wfd"):
            header = {"n": obj.nonce, "s": obj.seq, "r": "bad", "e": REASON, "blobs": []}
            text = json.dumps(header).encode()
            os.write(obj.wfd, b"RGS1" + struct.pack(">IQ", len(text), 0) + text)


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


_forge()
