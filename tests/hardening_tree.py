"""The attack tree of tests/test_hardening.py (issue 7), and how to read what grading it wrote.

    paths = build_tree(tmp)          # class/, submitted/, sec1/, sec2/, pathlink.py, config.json
    proc = rnngrade(*paths, "--json", ...)

Every file here is only written, never run: the submissions in the tree run
only through the real command (a subprocess, sandboxed).
"""

import csv
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat

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
