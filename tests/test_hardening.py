"""Issue 7, end to end: every finding attacked again through the real command.

One module-scoped batch (``rnngrade grade CLASS SUBMITTED SEC1 SEC2 PATHLINK
--jobs 2 --json --out OUT``) grades a tree built in tmp_path that holds
every attack at once: links (to the answer key, to a folder, to another
student's 0600 file, dangling, one given as a PATH), FIFOs and a socket,
odd suffixes, a 4 GiB sparse file, a notebook of shell escapes that takes
long to parse, ids that are formulas, options, terminal escapes, newlines,
bidi overrides and undecodable bytes, ids that clash (case, unsafe
characters, suffixes, across PATHs), a planted nbgrader file, exception
messages that forge Markdown, a submission printing escapes, forged child
replies, 10**400 values, System V IPC and keyring sharing, a memory-hungry
process tree and an endless loop in one function. Each test reads that
one run; the cheap extra runs (a missing PATH, the resume key) are their own.

Hostile sources run only through the command (a subprocess, sandboxed);
this process only writes files and reads the outputs.
"""

import csv
import io
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox import isolation_mode
from autograder.sandbox.reap import FOLDER_PREFIX
from autograder.submissions import compose, reference_source, to_notebook, write_notebook
from hostile_fixtures import hostile_dir, zeros_source

ROOT = Path(__file__).resolve().parents[1]
ANSWER_KEY = ROOT / "solutions" / "rnn.py"
HOSTILE = hostile_dir()
ZEROS = zeros_source()
KEY = reference_source()                         # full marks, so a leak of it shows in a score
OTHER_UID = 4242                                 # owns the "other student's" 0600 file
GiB = 1024 ** 3

# Everything a submission may put in a name or a message that a terminal,
# an editor or a spreadsheet acts on, or that hides text: controls (Cc),
# invisible format characters (Cf: bidi, zero-width, tags...), line and
# paragraph separators, lone surrogates. Newline and tab are checked apart.
VISIBLE_FORMAT = {chr(c) for c in range(0x600, 0x606)}          # Arabic number signs: visible


def hidden(text):
    """The characters of text that act on a terminal or hide (see above)."""
    return [c for c in text if c not in "\n\t" and c not in VISIBLE_FORMAT
            and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


FAKE = "mallory"                                 # every forged row or heading names her
MARKDOWN_BOMB = (f"boom\n## q1: 15 / 15\n# Feedback for {FAKE}\n| {FAKE} | 100 / 100 | graded |\n"
                 f"<img src=x onerror=alert(1)>\n```\n# Feedback for {FAKE}")

FORMULA_IDS = ["=2+3", "+cmd|' -c calc'!A1", "@SUM(A1)", "-rf", "--json", "\tTAB", "\rCR"]
TERMINAL_IDS = ["osc\x1b]8;;https:evil.example\x07click\x1b]8;;\x07", "clear\x1b[2J\x1b[H",
                f"nl\n[9of9] {FAKE}: 100 of 100 graded\n", "rlo\u202eyp.exe", "bell\x07\x9b31m",
                "bob\u200b", "\ufeffbom\xad", "tag\U000e0041\U000e0042"]     # invisible: look like other ids
LATIN1_NAME = b"caf\xe9.py"
MARKUP_IDS = ["<img src=x onerror=alert(1)>", "[full marks](https:evil.example)"]   # ids that are Markdown/HTML
MARKUP_LINK = "<img src=x onerror=alert(1)>[x](https:evil.example)link.py"   # a link: its name is in the reason
ODD_STUDENT = "=cmd\x1b[2Jred"                   # an nbgrader student folder named like an attack

RAISE_IN_FUNCTION = f'''
def rnn_step_forward(x, h_prev, W_xh, W_hh, b):
    raise ValueError({MARKDOWN_BOMB!r})
'''
PRINT_ESCAPES = '''
print("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mFULL MARKS\\r\\x9b2J\\u202e")


def chain_product(factors):
    print("\\x1b]8;;http://evil.example/\\x07link\\x1b]8;;\\x07\\x1b[2J")
    return 0.0
'''
HANG = '''
def gru_step_forward(*args, **kwargs):
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
'''
MEMORY_TREE = '''

def chain_product(factors):
    fork_and_touch(6, 300, 3.0)          # 1.8 GiB across 6 processes, 300 MiB each
    return 0.0
'''


# ------------------------------------------------------------------ building the tree

def _notebook(path, source, extra_cells=()):
    nb = to_notebook(source)
    nb.cells += [nbformat.v4.new_code_cell(code) for code in extra_cells]
    write_notebook(nb, path)


def _special_files(folder, outside):
    """Links, FIFOs, a socket, a hard link and a sparse file: nothing here may be opened."""
    os.symlink(ANSWER_KEY, folder / "key_link.py")                       # a link to the answer key
    os.symlink(ROOT / "solutions", folder / "solutions_link")           # a link to a folder
    os.symlink(outside / "carol.py", folder / "peek.py")                # another student's 0600 file
    os.symlink(outside / "nothing.py", folder / "dangling.py")
    os.symlink(ANSWER_KEY, folder / '=HYPERLINK("https:evil.example")link.py')
    os.symlink(ANSWER_KEY, folder / MARKUP_LINK)
    os.mkfifo(folder / "pipe.py")
    os.mkfifo(folder / "pipe")                                           # no suffix: still a row
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.py"))
    sock.close()
    with open(folder / "huge.py", "wb") as f:                            # 4 GiB, sparse
        f.truncate(4 * GiB)


def _class_folder(folder, outside):
    folder.mkdir()
    files = {f"{name}.py": ZEROS for name in FORMULA_IDS + TERMINAL_IDS + MARKUP_IDS}
    files.update({"Eve.py": KEY, "eve.py": ZEROS, "a b.py": KEY, "a_b.py": ZEROS, "dup.py": ZEROS,
                  "dup-2.py": KEY, "UPPER.PY": ZEROS, "twin.py": ZEROS,
                  "md_raise.py": ZEROS + RAISE_IN_FUNCTION, "ansi_print.py": ZEROS + PRINT_ESCAPES,
                  "hang_gru.py": compose(HANG),
                  "memory_tree.py": (HOSTILE / "memory_fork_tree.py").read_text() + MEMORY_TREE})
    for name in ("forge_loaded_reply.py", "huge_int_values.py"):
        files[name] = (HOSTILE / name).read_text()
    files["ipc_a.py"] = files["ipc_b.py"] = (HOSTILE / "ipc_share_answers.py").read_text()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / os.fsdecode(LATIN1_NAME)).write_text(ZEROS)
    _notebook(folder / "dup.ipynb", ZEROS)
    _notebook(folder / "Mixed.IpYnB", ZEROS)
    _notebook(folder / "md_cell.ipynb", ZEROS, [f"raise RuntimeError({MARKDOWN_BOMB!r})"])
    _notebook(folder / "slow_bang.ipynb", ZEROS, ["!echo spam\n" * 14000])       # ~150 KB of !cmd
    os.link(outside / "carol.py", folder / "hard.py")
    (folder / "roster.txt").write_text("not a submission")
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "sub" / "deeper" / "nested.py").write_text(ZEROS)
    (folder / "zed.py").write_text(KEY)          # zed's file, and a folder planted under zed's name
    (folder / "zed" / "hw1").mkdir(parents=True)
    (folder / "zed" / "hw1" / "rnn.py").write_text(ZEROS)
    _special_files(folder, outside)


def _nbgrader_folder(root):
    """submitted/<student>/hw1/: aaron plants bob.py deep in his folder, carol has a stray
    nested file, dave's assignment folder and erin's file are links, frank's folder is one."""
    files = {"aaron/hw1/rnn.py": ZEROS, "aaron/hw1/deep/bob.py": KEY, "bob/hw1/rnn.py": ZEROS,
             "carol/hw1/rnn.py": KEY, "carol/hw1/notes/stray.py": ZEROS, "gina/hw1/rnn.py": ZEROS,
             f"{ODD_STUDENT}/hw1/rnn.py": ZEROS}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "dave").mkdir()
    os.symlink(ROOT / "solutions", root / "dave" / "hw1")
    (root / "erin" / "hw1").mkdir(parents=True)
    os.symlink(ANSWER_KEY, root / "erin" / "hw1" / "rnn.py")
    os.symlink(root / "carol", root / "frank")
    (root / "hank").mkdir()                      # an empty student folder


def build_tree(tmp):
    outside = tmp / "outside"                    # another student's private file
    outside.mkdir()
    (outside / "carol.py").write_text(KEY)
    os.chmod(outside / "carol.py", 0o600)
    if os.geteuid() == 0:
        os.chown(outside / "carol.py", OTHER_UID, OTHER_UID)
    _class_folder(tmp / "class", outside)
    _nbgrader_folder(tmp / "submitted")
    for section, names in (("sec1", {"alice.py": ZEROS}), ("sec2", {"alice.py": KEY, "alice-2.py": ZEROS})):
        (tmp / section).mkdir()
        for name, text in names.items():
            (tmp / section / name).write_text(text)
    os.symlink(ANSWER_KEY, tmp / "pathlink.py")
    config = json.loads((ROOT / "assignments" / "rnn_gradients" / "assignment.json").read_text())
    config["limits"].update(load_seconds=10, memory_bytes=GiB)
    (tmp / "config.json").write_text(json.dumps(config))
    return [tmp / "class", tmp / "submitted", tmp / "sec1", tmp / "sec2", tmp / "pathlink.py"]


def rnngrade(*args, tmpdir=None, timeout=900):
    """The real command in a subprocess (its console script when installed)."""
    script = Path(sys.executable).with_name("rnngrade")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "autograder.cli"]
    env = dict(os.environ, **({"TMPDIR": str(tmpdir)} if tmpdir else {}))
    return subprocess.run(command + ["grade", *map(str, args)], capture_output=True, timeout=timeout,
                          cwd=ROOT, env=env)


def host_ipc_keys():
    """Keys of the host's System V objects (the IPC fixture uses 0x524E4E01)."""
    keys = set()
    for kind in ("shm", "msg", "sem"):
        with open(f"/proc/sysvipc/{kind}") as f:
            keys |= {int(line.split()[0]) for line in f.read().splitlines()[1:]}
    return keys


def fixture_keys_left():
    """Whether a key the IPC fixture added is still in the kernel (its keys are readable by all)."""
    with open("/proc/keys") as f:
        return " rnngrade-answers: " in f.read()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hardening")
    paths = build_tree(tmp)
    sandbox_tmp = tmp / "tmp"
    sandbox_tmp.mkdir()
    out = tmp / "out"
    proc = rnngrade(*paths, "--jobs", "2", "--json", "--out", out, "--config", tmp / "config.json",
                    tmpdir=sandbox_tmp)
    rows = {r["student"]: r for r in json.loads(proc.stdout)["submissions"]} if proc.returncode == 0 else {}
    first = (out / "grades.json").read_bytes() if proc.returncode == 0 else b""
    # the same command again, without --json: every result comes from the cache, the table is printed
    again = rnngrade(*paths, "--jobs", "2", "--out", out, "--config", tmp / "config.json", tmpdir=sandbox_tmp)
    return {"proc": proc, "rows": rows, "out": out, "tmp": tmp, "sandbox_tmp": sandbox_tmp,
            "first_json": first, "again": again}


@pytest.fixture(scope="module")
def rows(run):
    assert run["proc"].returncode == 0, run["proc"].stderr[-3000:]
    return run["rows"]


def printed_id(raw):
    """The id a raw name is shown as (textsafe's escapes)."""
    from autograder.discovery import printable
    return printable(raw)


def feedback_file(run, student):
    """feedback/<file> of a student (without extension), from feedback/index.csv."""
    from autograder.reports import read_csv_cell
    index = csv.reader(io.StringIO((run["out"] / "feedback" / "index.csv").read_text(encoding="utf-8")))
    names = {read_csv_cell(k): read_csv_cell(v) for k, v in index}
    return run["out"] / "feedback" / names[student]


def feedback_of(run, student):
    return Path(f"{feedback_file(run, student)}.md").read_text(encoding="utf-8")


def feedback_html_of(run, student):
    return Path(f"{feedback_file(run, student)}.html").read_text(encoding="utf-8")


def outside_fences(markdown):
    """The lines of a Markdown text that are not inside a fenced block."""
    lines, fence = [], None
    for line in markdown.splitlines():
        m = re.match(r"\s*(`{3,}|~{3,})", line)
        if m and (fence is None or m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)):
            fence = m.group(1) if fence is None else None
            continue
        if fence is None:
            lines.append(line)
    return lines



def entries_under(folder):
    """Every entry under folder that should get a row: candidates by name (any case) and
    everything that is not a regular file, never descending into a link."""
    found = []
    for entry in os.scandir(folder):
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            found += entries_under(entry.path)
        elif not stat.S_ISREG(mode) or entry.name.lower().endswith((".py", ".ipynb")):
            found.append(entry.path)
    return found


def expected_row_count(tmp):
    count = len(entries_under(tmp / "class")) + len(entries_under(tmp / "sec1")) + len(entries_under(tmp / "sec2"))
    for student in os.scandir(tmp / "submitted"):
        inside = entries_under(student.path) if student.is_dir(follow_symlinks=False) else []
        count += max(1, len(inside))
    return count + 1                                     # pathlink.py


def key_files(tmp):
    """How many regular files under the tree hold the answer key (their rows may score 100)."""
    paths = [p for folder in ("class", "submitted", "sec1", "sec2") for p in entries_under(tmp / folder)]
    return sum(1 for p in paths if os.path.isfile(p) and not os.path.islink(p)
               and Path(p).suffix == ".py" and Path(p).read_text(errors="replace") == KEY)


# ------------------------------------------------------------------ files and ids

@pytest.mark.slow
def test_links_are_never_followed_and_get_an_error_row(run, rows):
    """A link to the answer key, to a folder, to another student's 0600 file, dangling,
    given as a PATH, as an nbgrader assignment folder, file or student folder: a row
    that says so, nothing graded through it."""
    links = ["key_link.py", "solutions_link", "peek.py", "dangling.py", "pathlink", "dave", "erin", "frank",
             '=HYPERLINK("https:evil.example")link.py', MARKUP_LINK]
    for name in links:
        row = rows[name]
        assert row["status"] == "error" and row["score"] == 0, (name, row)
        assert "symbolic link" in row["reason"] and "not followed" in row["reason"], row["reason"]
    full = [name for name, row in rows.items() if row["score"] == row["max_score"]]
    assert len(full) == key_files(run["tmp"]), full         # only the answer key's real copies


@pytest.mark.slow
def test_every_entry_gets_a_row_and_none_hangs_the_batch(run, rows):
    assert len(rows) == expected_row_count(run["tmp"])
    for name in ("pipe.py", "pipe", "sock.py"):
        assert rows[name]["status"] == "error", rows[name]
        assert "not a regular file" in rows[name]["reason"] and "not opened" in rows[name]["reason"]
    for name in ("UPPER", "Mixed"):                          # .PY and .IpYnB are graded
        assert rows[name]["status"] == "graded" and rows[name]["score"] == rows["twin"]["score"], rows[name]
    assert not any("roster" in name for name in rows)
    assert rows["hank"]["status"] == "error" and "holds no .py or .ipynb" in rows["hank"]["reason"]


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    (tmp_path / "alice.py").write_text(ZEROS)
    proc = rnngrade(tmp_path / "alice.py", tmp_path / "sumbitted", "--out", tmp_path / "out", timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert b"sumbitted" in proc.stderr and b"no such file or folder" in proc.stderr
    assert not (tmp_path / "out").exists()                  # nothing graded, nothing written


@pytest.mark.slow
def test_ids_are_unique_across_paths_and_cases_and_a_suffix_never_takes_a_name(rows):
    assert len({name.casefold() for name in rows}) == len(rows)
    # sec1/alice.py (zeros), sec2/alice.py (the key), sec2/alice-2.py (zeros)
    assert rows["alice-2"]["score"] == rows["twin"]["score"] and "notes" not in rows["alice-2"]
    assert sorted(rows[n]["score"] for n in ("alice", "alice-3")) == [rows["twin"]["score"], 100]
    assert any("the id alice belongs to another submission" in n for n in rows["alice-3"]["notes"])
    # dup.py and dup.ipynb (zeros), dup-2.py (the key): dup-2 stays dup-2.py's
    assert rows["dup-2"]["score"] == 100 and rows["dup-3"]["score"] == rows["twin"]["score"]
    assert rows["Eve"]["score"] == 100 and rows["eve-2"]["score"] == rows["twin"]["score"]
    assert {"=2+3", "-rf", "--json", "@SUM(A1)", "+cmd|' -c calc'!A1"} <= set(rows)


@pytest.mark.slow
def test_nbgrader_rows_are_named_after_the_student_folder_whatever_it_holds(rows):
    assert rows["bob"]["score"] == rows["twin"]["score"]    # aaron's planted bob.py is not bob's
    assert rows["aaron-bob"]["score"] == 100
    assert any("hw1/deep/bob.py in aaron's folder" in n for n in rows["aaron-bob"]["notes"])
    assert rows["carol"]["score"] == 100 and "carol-stray" in rows     # a stray file is carol's
    assert rows["gina"]["status"] == "graded"                # layout detection stayed on
    odd = printed_id(ODD_STUDENT)
    assert odd in rows and rows[odd]["status"] == "graded" and "\x1b" not in odd


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="a folder in a plain class folder switches it to nbgrader's layout "
                                       "(discovery.is_nbgrader counts folders only): the planted folder zed/ "
                                       "takes the id zed and pushes zed.py to zed-2")
def test_a_planted_folder_in_a_plain_class_folder_does_not_take_a_student_s_id(rows):
    assert rows["zed"]["score"] == 100                      # zed.py holds the answer key
    assert not any("directly in the submitted folder" in note for row in rows.values()
                   for note in row.get("notes", ()))


@pytest.mark.slow
def test_odd_names_get_a_printable_id_and_the_mapping_is_shown(run, rows):
    stderr = run["proc"].stderr.decode("utf-8")
    for raw in TERMINAL_IDS + ["\tTAB", "\rCR", os.fsdecode(LATIN1_NAME)[:-3]]:
        shown = printed_id(raw)
        assert shown in rows and not hidden(shown) and "\n" not in shown, shown
        assert any("shown as id" in note for note in rows[shown]["notes"])
        assert f"shown as id {shown}" in stderr
    json.loads((run["out"] / "grades.json").read_bytes().decode("utf-8"))   # strict UTF-8


@pytest.mark.slow
def test_a_huge_sparse_file_is_refused_unread(rows):
    assert rows["huge"]["status"] == "error" and "larger than" in rows["huge"]["reason"]


@pytest.mark.slow
def test_a_notebook_slow_to_parse_gets_a_reason(rows):
    row = rows["slow_bang"]
    assert row["status"] == "error" and "took longer than 10 s to parse" in row["reason"], row


@pytest.mark.slow
def test_the_resume_key_keeps_content_and_id_apart(tmp_path):
    """alice.py holds C, ice.py holds C + "al": unframed, sha(C + "alice") == sha(C + "al" + "ice")."""
    (tmp_path / "class").mkdir()
    text = KEY + "\nX = 0"
    (tmp_path / "class" / "alice.py").write_text(text)
    (tmp_path / "class" / "ice.py").write_text(text + "al")      # X = 0al: a syntax error
    for _ in range(2):                                            # graded, then resumed from the cache
        proc = rnngrade(tmp_path / "class", "--jobs", "2", "--json", "--quiet", "--out", tmp_path / "out")
        assert proc.returncode == 0, proc.stderr[-2000:]
        got = {r["student"]: r for r in json.loads(proc.stdout)["submissions"]}
        assert got["alice"]["score"] == 100 and got["ice"]["status"] == "error", got


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="a folder swapped for a link between discovery and grading is "
                                       "followed: O_NOFOLLOW guards only the last component, and nothing "
                                       "checks that the file read is the one discovery saw (st_dev, st_ino)")
def test_a_folder_swapped_for_a_link_after_discovery_is_not_followed(tmp_path):
    """A student who can write in the class folder swaps their folder for a link once the
    batch has listed it (a batch of hundreds leaves minutes to do it). Run step by step,
    deterministically: discover, swap, grade. Only the answer key (trusted) is ever run."""
    from autograder.batch import discover, grade_one

    (tmp_path / "class" / "x").mkdir(parents=True)
    (tmp_path / "class" / "x" / "rnn.py").write_text(ZEROS)
    (tmp_path / "class" / "alice.py").write_text(ZEROS)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "rnn.py").write_text(KEY)          # someone else's file, outside the class
    sub = next(s for s in discover([tmp_path / "class"]) if s.path.name == "rnn.py")
    (tmp_path / "class" / "x").rename(tmp_path / "class" / "x.old")
    os.symlink(tmp_path / "private", tmp_path / "class" / "x")
    result = grade_one(sub)
    assert result["score"] < 100 and result["status"] == "error", result.get("reason")


def _world_reachable_folder():
    """A folder any user can reach (/tmp may be private), or None."""
    for base in ("/var/tmp", "/dev/shm", tempfile.gettempdir()):
        if os.path.isdir(base) and os.stat(base).st_mode & 0o1003 == 0o1003:
            return base
    return None


@pytest.mark.skipif(os.geteuid() != 0 or not _world_reachable_folder(), reason="needs root to act as two users")
def test_a_student_cannot_hard_link_a_file_they_cannot_read():
    """A hard link is the file itself: a link planted in the class folder is graded as what it
    links to (the batch's hard.py gets carol's grade). That is safe only because the kernel's
    protected_hardlinks keeps a user from linking another user's file, which they could not
    copy either; their own file they can link."""
    folder = Path(tempfile.mkdtemp(prefix="hardlink-", dir=_world_reachable_folder()))
    try:
        os.chmod(folder, 0o1777)
        for name, owner in (("carol.py", OTHER_UID), ("own.py", 65534)):
            (folder / name).write_text("private")
            os.chmod(folder / name, 0o600)
            os.chown(folder / name, owner, owner)

        def link(name):
            return subprocess.run(["ln", str(folder / name), str(folder / f"link-{name}")],
                                  user=65534, group=65534, capture_output=True, timeout=60)
        assert link("own.py").returncode == 0                  # linking itself works for this user
        denied = link("carol.py")
        assert denied.returncode != 0 and b"Operation not permitted" in denied.stderr, denied.stderr
        assert not (folder / "link-carol.py").exists()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ what instructors open

@pytest.mark.slow
def test_no_csv_cell_runs_as_a_formula_and_each_reads_back(run, rows):
    for name in ("grades.csv", "feedback/index.csv"):
        table = list(csv.reader(io.StringIO((run["out"] / name).read_text(encoding="utf-8"))))
        for cell in (c for row in table for c in row):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), (name, cell)
    from autograder.reports import read_csv_cell
    grades = list(csv.DictReader(io.StringIO((run["out"] / "grades.csv").read_text(encoding="utf-8"))))
    assert sorted(read_csv_cell(r["student"]) for r in grades) == sorted(rows)   # one line per row, no more
    link = next(r for r in grades if read_csv_cell(r["student"]).startswith("=HYPERLINK"))
    assert read_csv_cell(link["reason"]).startswith("=HYPERLINK")           # a reason quoting the name


@pytest.mark.slow
def test_no_control_character_reaches_the_terminal_and_no_row_is_forged(run, rows):
    proc = run["proc"]
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8")                                  # strict: valid UTF-8
        assert not hidden(text) and "\t" not in text, hidden(text)[:5]
    lines = proc.stderr.decode("utf-8").splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert all(line.startswith("rnngrade: ") for line in lines if line not in progress), lines
    assert len(progress) == len(rows)
    assert not any(line.startswith("[9of9]") for line in lines)        # the newline name's forged row
    assert not any(r["student"] == FAKE for r in json.loads(proc.stdout)["submissions"])


@pytest.mark.slow
def test_the_table_shows_one_line_per_row_and_a_resumed_run_repeats_nothing(run, rows):
    again = run["again"]
    assert again.returncode == 0, again.stderr[-2000:]
    progress = [line for line in again.stderr.decode("utf-8").splitlines() if line.startswith("[")]
    assert len(progress) == len(rows) and all(line.startswith("[cached] ") for line in progress)
    assert (run["out"] / "grades.json").read_bytes() == run["first_json"]
    table = again.stdout.decode("utf-8")
    assert not hidden(table) and "\t" not in table
    lines = table.splitlines()
    assert len(lines) == 2 + len(rows) + 2               # header, rule, one per row, summary, "wrote"
    assert not any(FAKE in line and "nl" not in line for line in lines), "a forged row"


@pytest.mark.slow
def test_no_output_file_holds_a_control_character(run):
    for path in run["out"].rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8")
            assert not hidden(text), (path.name, hidden(text)[:5])


@pytest.mark.slow
@pytest.mark.parametrize("student", ["md_raise", "md_cell", "forge_loaded_reply", "ansi_print", MARKUP_LINK] + MARKUP_IDS)
def test_markdown_feedback_keeps_its_structure(run, student):
    """Messages forging headings, table rows, HTML and a closing fence stay the submission's text."""
    markdown = feedback_of(run, student)
    lines = outside_fences(markdown)
    headings = [line for line in lines if line.startswith("#")]
    assert headings[0].startswith("# Feedback for ")
    assert [h.split(":")[0] for h in headings[1:]] == [f"## q{i}" for i in range(7)], headings
    assert not any(line.lstrip().startswith("|") or re.search(r"(?<!\\)<img", line) for line in lines)
    assert FAKE not in " ".join(headings)
    assert not re.search(r"(?<!\\)\]\(", "\n".join(lines))      # no live [text](link)
    html = feedback_html_of(run, student)
    assert "<img" not in html and "<a " not in html


@pytest.mark.slow
def test_the_submission_s_message_is_shown_escaped(run):
    assert "raised ValueError: boom" in feedback_of(run, "md_raise")     # shown, not dropped
    assert "cell 14 raised RuntimeError: boom" in feedback_of(run, "md_cell")


@pytest.mark.slow
def test_each_row_s_feedback_files_are_its_own(run, rows):
    index = list(csv.reader(io.StringIO((run["out"] / "feedback" / "index.csv").read_text())))[1:]
    files = [f for _, f in index]
    assert len(index) == len(rows) and len({f.casefold() for f in files}) == len(files)
    for student in ("a b", "a_b", "Eve", "eve-2", "-rf", "--json"):
        score = rows[student]["score"]
        assert f"**Score: {score:g} / 100**" in feedback_of(run, student), student


@pytest.mark.slow
def test_forged_child_replies_and_huge_values_cost_only_their_points(rows):
    forged = rows["forge_loaded_reply"]
    assert forged["status"] == "graded" and forged["score"] <= rows["twin"]["score"]
    assert all(note.startswith(("The submission", "a file", "named")) or "submission" in note
               for note in forged["notes"]), forged["notes"]
    big = rows["huge_int_values"]
    assert big["status"] == "graded" and "internal_error" not in big


# ------------------------------------------------------------------ the sandbox

@pytest.mark.slow
def test_no_ipc_object_or_key_passes_between_submissions_or_survives(run, rows):
    for name in ("ipc_a", "ipc_b"):                 # each finds nothing the other left
        assert rows[name]["score"] <= rows["twin"]["score"], rows[name]
    assert 0x524E4E01 not in host_ipc_keys()
    deadline = time.monotonic() + 30
    while fixture_keys_left() and time.monotonic() < deadline:
        time.sleep(0.1)                          # the kernel collects released keys asynchronously
    assert not fixture_keys_left()


@pytest.mark.slow
def test_the_memory_limit_covers_the_process_tree(run):
    if isolation_mode() != "root":
        pytest.skip("a control group for the whole tree needs mode root")
    from autograder.sandbox import cgroups
    if not cgroups.parents():
        pytest.skip("no control group hierarchy")
    text = feedback_of(run, "memory_tree")
    assert "processes together used more than the memory limit of 1024 MiB" in text


@pytest.mark.slow
def test_a_hanging_function_costs_only_its_questions(rows):
    """gru_step_forward loops forever (ignoring SIGTERM): only q5 (GRU) loses points."""
    for q in rows["hang_gru"]["questions"]:
        if q["id"] == "q5":
            assert q["score"] < q["max_score"]
        else:
            assert q["score"] == q["max_score"], q


@pytest.mark.slow
def test_no_sandbox_folder_is_left_behind(run, rows):
    assert rows                                            # the batch ran
    assert not list(run["sandbox_tmp"].glob(FOLDER_PREFIX + "*"))
