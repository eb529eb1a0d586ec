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

The tree and the readers of the outputs are tests/hardening_tree.py.
Hostile sources run only through the command (a subprocess, sandboxed);
this process only writes files and reads the outputs (the one step-by-step
test, a folder swapped for a link, grades only the answer key).
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from autograder.sandbox import isolation_mode
from autograder.sandbox.reap import FOLDER_PREFIX
from hardening_tree import (FAKE, KEY, LATIN1_NAME, MARKUP_IDS, MARKUP_LINK, ODD_STUDENT,
                            OTHER_UID, TERMINAL_IDS, ZEROS, build_tree, expected_row_count, feedback_html_of,
                            feedback_of, fixture_keys_left, hidden, host_ipc_keys, key_files, outside_fences,
                            printed_id, rnngrade)



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


# ------------------------------------------------------------------ files and ids

@pytest.mark.slow
def test_links_are_never_followed_and_get_an_error_row(run, rows):
    """A link to the answer key, to a folder, to another student's 0600 file, dangling,
    given as a PATH, as an nbgrader assignment folder, file or student folder: a row
    that says so, nothing graded through it."""
    links = ["key_link", "solutions_link", "peek", "dangling", "pathlink", "dave", "erin", "frank",
             '=HYPERLINK("https:evil.example")link', MARKUP_LINK[:-len(".py")]]   # class/: a plain folder
    for name in links:
        row = rows[name]
        assert row["status"] == "error" and row["score"] == 0, (name, row)
        assert "symbolic link" in row["reason"] and "not followed" in row["reason"], row["reason"]
    full = [name for name, row in rows.items() if row["score"] == row["max_score"]]
    assert len(full) == key_files(run["tmp"]), full         # only the answer key's real copies


@pytest.mark.slow
def test_every_entry_gets_a_row_and_none_hangs_the_batch(run, rows):
    assert len(rows) == expected_row_count(run["tmp"])
    for name in ("pipe", "pipe-2", "sock"):                 # class/pipe, class/pipe.py, class/sock.py
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
@pytest.mark.parametrize("student", ["md_raise", "md_cell", "forge_loaded_reply", "ansi_print",
                                     MARKUP_LINK[:-len(".py")]] + MARKUP_IDS)
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


def test_the_reader_refuses_a_file_that_is_not_the_one_listed(tmp_path):
    """Swapped after the grader's lstat but before its open: the open descriptor is checked
    against the identity discovery recorded (read_submission, content_digest)."""
    from autograder.batch import content_digest
    from autograder.sandbox.notebook import read_submission

    listed, other = tmp_path / "listed.py", tmp_path / "other.py"
    listed.write_text(ZEROS)
    other.write_text(KEY)
    seen = os.lstat(other)
    ident = (seen.st_dev, seen.st_ino)
    assert read_submission(other, identity=ident).ok                     # the file it was: read
    refused = read_submission(listed, identity=ident)
    assert not refused.ok and "not the file that was listed" in refused.reason
    assert content_digest(listed, 1 << 20, ident) == "changed"
