"""The framing of the wire format (protocol.py): frames of a JSON header and byte blobs.

Frame:  b"RGS1" | u32 json length | u64 blobs length | json | blob | blob ...
The JSON header lists the blob lengths under "blobs".

Without numpy, so that a platform's entry point can send a child its setup
request before numpy and the grader load (spawn.prestart); protocol.py
re-exports all of it and adds the values (arrays, references).
"""

import json
import struct

MAGIC = b"RGS1"
PREFIX = struct.Struct(">4sIQ")
MAX_JSON = 16 * 1024 * 1024


class ProtocolError(Exception):
    """A message that does not follow the protocol (treated as hostile)."""


# ---------------------------------------------------------------- framing

def pack(header, blobs=()):
    """One frame: the header dict (JSON) and the byte blobs."""
    header["blobs"] = [len(b) for b in blobs]
    text = json.dumps(header, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return b"".join([PREFIX.pack(MAGIC, len(text), sum(header["blobs"])), text, *blobs])


class FrameReader:
    """Incremental frame parser over bytes read from a pipe.

    Raises ProtocolError for a bad magic, a frame larger than max_bytes or
    a header that is not a JSON object with consistent blob lengths.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        if len(self.buf) >= PREFIX.size:
            self._check_prefix()

    def _check_prefix(self):
        magic, json_len, blob_len = PREFIX.unpack_from(self.buf)
        if magic != MAGIC:
            raise ProtocolError("bad frame marker")
        if json_len > MAX_JSON or json_len + blob_len > self.max_bytes:
            raise ProtocolError(f"message too large ({json_len + blob_len} bytes)")
        return json_len, blob_len

    def next(self):
        """The next complete frame as (header, blobs), or None."""
        if len(self.buf) < PREFIX.size:
            return None
        json_len, blob_len = self._check_prefix()
        end = PREFIX.size + json_len + blob_len
        if len(self.buf) < end:
            return None
        text = bytes(self.buf[PREFIX.size:PREFIX.size + json_len])
        body = bytes(self.buf[PREFIX.size + json_len:end])
        del self.buf[:end]
        try:
            header = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"header is not JSON ({type(exc).__name__})") from None
        if type(header) is not dict:
            raise ProtocolError("header is not a JSON object")
        sizes = header.get("blobs")
        if (type(sizes) is not list or any(type(s) is not int or s < 0 for s in sizes)
                or sum(sizes) != blob_len):
            raise ProtocolError("inconsistent blob lengths")
        blobs, pos = [], 0
        for s in sizes:
            blobs.append(body[pos:pos + s])
            pos += s
        if len(self.buf) >= PREFIX.size:
            self._check_prefix()
        return header, blobs
