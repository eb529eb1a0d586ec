"""File names for student ids (ids come from file and folder names: any characters).

A safe id (letters, digits, ``.``, ``_``, ``-``; starting with a letter or
digit; at most 100 characters; not a Windows device name) keeps exactly its
name. Any other id gets ``<cleaned id>~<hash of the id>``: ``~`` never
appears in a safe name, so an unsafe id can never take a safe id's file,
and the hash tells unsafe ids apart. On a file system that ignores case,
``Bob`` and ``bob`` would share a file: when safe ids differ only in case,
the all-lowercase one keeps its name and the others get the hashed form.
The names depend only on the set of ids, never on their order.
"""

import hashlib
import re

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MARK = "~"                      # joins a cleaned unsafe id to its hash; never in a safe name


def is_safe(student):
    """Whether the id can be a file name as it is, on every common file system."""
    return (bool(_SAFE.fullmatch(student)) and not student.endswith(".")
            and student.split(".")[0].lower() not in _DEVICES)


def hashed_name(student, digits=10):
    """``<cleaned id>~<first digits of the id's SHA-256>`` (never a safe name)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._-")[:60] or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{base}{MARK}{digest[:digits]}"


def file_names(students):
    """A dict id -> file name (no extension) for a set of ids: names differ
    even on a case-insensitive file system, and a safe id keeps its own name
    unless another id differs from it only in case."""
    ids = sorted(set(students))
    folded = {}
    for s in ids:
        if is_safe(s):
            folded[s.lower()] = folded.get(s.lower(), 0) + 1
    plain = [s for s in ids if is_safe(s) and (s == s.lower() or folded[s.lower()] == 1)]
    names = {s: s for s in plain}
    used = {s.lower() for s in plain}
    for s in ids:
        if s in names:
            continue
        digits = 10
        while hashed_name(s, digits).lower() in used:      # a 40-bit clash: take more of the hash
            digits += 2
        names[s] = hashed_name(s, digits)
        used.add(names[s].lower())
    return names


def safe_name(student):
    """The file name of one id on its own (as in a batch of one)."""
    return file_names([student])[student]
