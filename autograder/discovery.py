"""Find the submissions under the PATHs of `rnngrade grade` and give each a unique id.

    subs = discover(["submitted/"])        # [Submission], sorted by id

Rules (README, "Grading submissions"):

- Nothing is followed: folders are walked with os.scandir and lstat, never
  through a symbolic link, so no path outside the given folders is opened.
  A symbolic link (to a file or a folder, dangling or not) gets an error row
  saying it was not followed; so does a PATH that is itself a link.
- A PATH that does not exist is a usage error (DiscoveryError), raised
  before anything is graded.
- In a folder, every non-hidden entry that is not a folder and either ends
  in .py or .ipynb (any case) or is not a regular file (a link, a FIFO, a
  socket, a device) gets a row; other regular files (a roster, a README)
  are ignored. Names starting with "." are skipped at every level. A
  special file is never opened: its row says what it is.
- nbgrader's layout (a folder named ``submitted``, or one whose child
  folders mostly hold assignment folders holding submissions, counting the
  submission files directly inside as votes against): each child
  folder is a student and its row is named after it, whatever it holds.
  The student's main file is the one whose path inside the student folder
  is the most common in the class; other files are graded as
  ``<student>-<stem>`` with a note naming the file.
- Ids are printable (control characters and undecodable bytes become
  ``\\xNN`` escapes, with a note giving the real name), unique across all
  PATHs (case-insensitively, since feedback files may land on
  case-insensitive file systems) and deterministic: the same files give
  the same ids whatever the order of the PATHs. A suffix ``-N`` never takes
  an id that some file is named after.
"""

import os
import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .textsafe import one_line

SUFFIXES = (".py", ".ipynb")
NBGRADER_FOLDER = "submitted"


class DiscoveryError(ValueError):
    """The PATHs cannot be graded as given (a usage error: exit status 2)."""


@dataclass(frozen=True)
class Submission:
    """One row of the grade table.

    - student: the printable, unique id
    - path: where the file is (undecodable bytes kept as surrogate escapes)
    - problem: why it is not opened at all (a link, a FIFO...), else ""
    - notes: remarks for the row (a renamed id, an extra file of a student)
    - renamed: "file name b'...' shown as id ..." when the id had to be made printable
    - ident: (st_dev, st_ino) of the file when it was listed: the reader refuses a
      file that is not this one (a folder swapped for a link after listing)
    """
    student: str
    path: Path
    problem: str = ""
    notes: tuple = ()
    renamed: str = ""
    ident: tuple = ()


@dataclass(frozen=True)
class _Found:
    """A discovered entry before its id is made unique."""
    base: str             # the wanted id, raw (may hold unprintable characters)
    path: Path
    kind: str             # "file", "link", "special" or "unreadable"
    primary: bool = False  # an nbgrader student's main row: gets its name first
    note: str = ""         # a remark for the row
    why: str = ""          # why a folder could not be read
    ident: tuple = ()      # (st_dev, st_ino) as listed


def printable(text):
    """Text fit for an id: undecodable bytes as ``\\xNN``, control characters as escapes
    (textsafe.one_line), so an id is one line of valid UTF-8 that shows what was there."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:              # a lone surrogate that is not an escaped byte
        pass
    return one_line(text)


def shown(path):
    """A file name for messages: printable, and never hiding what the name really is."""
    name = Path(path).name
    return name if printable(name) == name else repr(os.fsencode(name))


def is_candidate_name(name):
    return name.lower().endswith(SUFFIXES)


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "link"
    return "file" if stat.S_ISREG(mode) else "special"


def _stem(path):
    """The file's stem; Path.stem, except that a suffix is removed whatever its case."""
    name = Path(path).name
    for suffix in SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return Path(name).stem or name


def _ident(st):
    return (st.st_dev, st.st_ino)


def _entries(folder, idents=None):
    """(name, path, mode) of the non-hidden entries of a folder, by lstat; never follows a link.
    With a dict ``idents``, also records path -> (st_dev, st_ino) of each entry."""
    listed = []
    with os.scandir(folder) as it:
        for e in it:
            if not e.name.startswith("."):
                st = e.stat(follow_symlinks=False)
                listed.append((e.name, Path(e.path), st.st_mode))
                if idents is not None:
                    idents[Path(e.path)] = _ident(st)
    return sorted(listed, key=lambda e: os.fsencode(e[0]))


def _walk(folder, idents=None):
    """Yield (relative parts, kind, why) of every candidate under folder, without following
    links (iterative: a deep tree cannot exhaust the recursion limit); ``idents`` as in _entries."""
    stack = [(Path(folder), ())]
    while stack:
        path, rel = stack.pop()
        try:
            entries = _entries(path, idents)
        except OSError as exc:
            yield rel, "unreadable", exc.strerror or type(exc).__name__
            continue
        for name, child, mode in entries:
            if stat.S_ISDIR(mode):
                stack.append((child, rel + (name,)))
            elif _kind(mode) != "file" or is_candidate_name(name):
                yield rel + (name,), _kind(mode), ""


def _is_student_folder(path):
    """An nbgrader student folder: no submission directly inside, an assignment folder that holds one."""
    try:
        entries = _entries(path)
        if any(is_candidate_name(n) for n, _, m in entries if not stat.S_ISDIR(m)):
            return False
        return any(stat.S_ISDIR(m) and any(is_candidate_name(n2) and stat.S_ISREG(m2)
                                           for n2, _, m2 in _entries(p))
                   for _, p, m in entries)
    except OSError:
        return False


def is_nbgrader(root):
    """Whether a folder is in nbgrader's submitted/<student>/<assignment>/ layout."""
    if Path(root).name == NBGRADER_FOLDER:
        return True
    try:
        entries = _entries(root)
    except OSError:
        return False
    folders = [p for _, p, m in entries if stat.S_ISDIR(m)]
    # files directly inside vote against: one folder planted in a plain class
    # folder must not turn every student's file into an extra file
    files = sum(1 for n, _, m in entries if not stat.S_ISDIR(m) and is_candidate_name(n))
    return bool(folders) and 2 * sum(map(_is_student_folder, folders)) > len(folders) + files


def _plain(root):
    """Every candidate under a plain folder, named after its file."""
    idents = {}
    for parts, kind, why in _walk(root, idents):
        path = Path(root, *parts)
        if kind == "unreadable":
            yield _Found(path.name or str(path), path, kind, why=why)
        else:
            yield _Found(_stem(parts[-1]), path, kind, ident=idents.get(path, ()))


def _nbgrader(root):
    """One row per student folder (its name), plus one per extra file of that student."""
    try:
        entries = _entries(root)
    except OSError as exc:
        yield _Found(Path(root).name, Path(root), "unreadable", why=exc.strerror or type(exc).__name__)
        return
    students, idents = {}, {}
    for name, path, mode in entries:
        if stat.S_ISDIR(mode):
            students[name] = list(_walk(path, idents))
        elif _kind(mode) != "file":          # a link or special file where a student folder would be
            yield _Found(name, path, _kind(mode), primary=True)
        elif is_candidate_name(name):
            yield _Found(_stem(name), path, "file", note="a file directly in the submitted folder",
                         ident=_ident(os.lstat(path)))
    usual = Counter(parts for found in students.values() for parts, kind, _ in found if kind == "file")

    def rank(item):
        parts, kind, _ = item
        return (kind != "file", -usual[parts], len(parts) != 2, [os.fsencode(p) for p in parts])

    for name, found in students.items():
        folder = Path(root, name)
        if not found:
            yield _Found(name, folder, "empty", primary=True)
            continue
        found.sort(key=rank)
        for n, (parts, kind, why) in enumerate(found):
            path = folder.joinpath(*parts)
            inside = "/".join(map(printable, parts)) or "."
            if n == 0:
                note = (f"{printable(name)}'s folder holds {len(found)} submission entries; this row grades {inside}"
                        if len(found) > 1 else "")
                yield _Found(name, path, kind, primary=True, note=note, why=why, ident=idents.get(path, ()))
            else:
                base = f"{name}-{_stem(parts[-1]) if parts else 'folder'}"
                yield _Found(base, path, kind, note=f"extra entry {inside} in {printable(name)}'s folder, "
                                                    "graded separately", why=why, ident=idents.get(path, ()))


def _from_path(raw):
    """The _Found entries of one command-line PATH (raises DiscoveryError if it does not exist)."""
    path = Path(os.fsdecode(raw))
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise DiscoveryError(f"{printable(str(path))}: {exc.strerror or 'cannot be read'}") from None
    if stat.S_ISDIR(st.st_mode):
        return list(_nbgrader(path) if is_nbgrader(path) else _plain(path))
    name = path.name or str(path)
    return [_Found(_stem(name), path, _kind(st.st_mode), ident=_ident(st))]


def _problem(found):
    what = shown(found.path)
    return {
        "link": f"{what} is a symbolic link; it was not followed",
        "special": f"{what} is not a regular file (a FIFO, socket or device); it was not opened",
        "unreadable": f"the folder {what} could not be read ({found.why})",
        "empty": f"the student folder {what} holds no .py or .ipynb file",
    }.get(found.kind, "")


def _real_name(found):
    """What an id was made from, as bytes (the file's name, or the student folder's)."""
    if found.primary:
        return f"folder name {os.fsencode(found.base)!r}"
    name = found.path.name
    if printable(name) != name:
        return f"file name {os.fsencode(name)!r}"
    return f"name {os.fsencode(found.base)!r}"


def _unique_ids(found):
    """Printable ids, unique case-insensitively, decided by sorted content (not discovery order)."""
    order = sorted(found, key=lambda f: (not f.primary, printable(f.base).casefold(), os.fsencode(str(f.path))))
    taken = {printable(f.base).casefold() for f in order}   # names a suffix must not take
    used, ids = set(), []
    for f in order:
        base = printable(f.base) or "student"
        name, n = base, 1
        while name.casefold() in used or (name != base and name.casefold() in taken):
            n += 1
            name = f"{base}-{n}"
        used.add(name.casefold())
        ids.append((name, f))
    return ids


def _once(found):
    """Each file once, however many PATHs reach it (a folder and a file in it, a PATH given
    twice); an nbgrader student's main row wins over the same file given alone."""
    best = {}
    for f in found:
        try:                                   # the directory entry: its folder and its name
            folder = os.stat(f.path.parent)
            where = (folder.st_dev, folder.st_ino, f.path.name)
        except OSError:
            where = os.fspath(f.path)
        if where not in best or (f.primary and not best[where].primary):
            best[where] = f
    return list(best.values())


def discover(paths):
    """Submissions under the given files and folders, sorted by student id (module docstring)."""
    found, missing = [], []
    for raw in paths:
        try:
            found += _from_path(raw)
        except DiscoveryError as exc:
            missing.append(str(exc))
    if missing:
        raise DiscoveryError("no such file or folder: " + "; ".join(missing))
    subs = []
    for student, f in _unique_ids(_once(found)):
        renamed = clash = ""
        if printable(f.base) != f.base:
            renamed = f"{_real_name(f)} shown as id {student}"
        if student.casefold() != printable(f.base).casefold():
            clash = f"named {student}: the id {printable(f.base)} belongs to another submission"
        notes = tuple(n for n in (renamed, clash, f.note) if n)
        subs.append(Submission(student, f.path, _problem(f), notes, renamed, f.ident))
    return sorted(subs, key=lambda s: s.student)
