"""Which files become rows, under which ids: links never followed, special files never opened,
unique printable ids, nbgrader's layout, missing PATHs and huge files (issue 7, "Files and ids").

The folder layouts are built in tmp_path (links and FIFOs do not live well in git). The
submissions are honest: tests/files/zeros.py, or the answer key (trusted code).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import batch
from autograder.submissions import reference_source

ZEROS = (Path(__file__).parent / "files" / "zeros.py").read_text(encoding="utf-8")


def rnngrade(*args, timeout=600):
    """`rnngrade grade ...` in a subprocess, as an instructor runs it (bytes PATHs allowed)."""
    argv = [sys.executable, "-m", "autograder.cli", "grade", *[os.fsencode(a) for a in args]]
    return subprocess.run(argv, capture_output=True, timeout=timeout)


def rows_of(proc):
    """The --json rows by id; the document must be valid UTF-8 JSON."""
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    return {r["student"]: r for r in json.loads(proc.stdout.decode("utf-8"))["submissions"]}


def ids(subs):
    return sorted(s.student for s in subs)


def by_id(subs):
    return {s.student: s for s in subs}


def write(path, text=ZEROS):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- links are never followed --------------------------------------------------

def test_links_in_a_folder_get_error_rows_and_are_not_followed(tmp_path):
    key = write(tmp_path / "key" / "answer.py", reference_source())
    other = write(tmp_path / "key" / "other_dir" / "carol.py")
    cls = tmp_path / "class"
    write(cls / "bob.py")
    (cls / "alice.py").symlink_to(key)                    # the answer key
    (cls / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (cls / "section").symlink_to(other.parent, target_is_directory=True)
    subs = by_id(batch.discover([cls]))
    assert sorted(subs) == ["alice", "bob", "dangling", "section"]   # carol is never reached
    for name in ("alice", "dangling", "section"):
        assert "symbolic link" in subs[name].problem and "not followed" in subs[name].problem
        row = batch.grade_one(subs[name])
        assert row["status"] == "error" and row["score"] == 0
        assert "symbolic link" in row["reason"]
    assert subs["bob"].problem == ""


def test_grade_one_checks_with_lstat_even_for_a_hand_made_submission(tmp_path):
    key = write(tmp_path / "answer.py", reference_source())
    (tmp_path / "alice.py").symlink_to(key)
    os.mkfifo(tmp_path / "pipe.py")
    link = batch.grade_one(batch.Submission("alice", tmp_path / "alice.py"))
    fifo = batch.grade_one(batch.Submission("pipe", tmp_path / "pipe.py"))
    assert "symbolic link" in link["reason"] and link["score"] == 0
    assert "not a regular file" in fifo["reason"]


@pytest.mark.slow
def test_a_link_to_the_answer_key_is_not_graded_as_the_answer_key(tmp_path):
    key = write(tmp_path / "key" / "answer.py", reference_source())
    cls = tmp_path / "class"
    write(cls / "bob.py")
    (cls / "alice.py").symlink_to(key)
    (tmp_path / "carol.py").symlink_to(key)                # a PATH that is itself a link
    rows = rows_of(rnngrade(cls, tmp_path / "carol.py", "--json", "--jobs", "1"))
    assert sorted(rows) == ["alice", "bob", "carol"]
    for name in ("alice", "carol"):
        assert rows[name]["status"] == "error" and rows[name]["score"] == 0
        assert "symbolic link" in rows[name]["reason"]
    assert rows["bob"]["status"] == "graded"


def test_a_path_given_on_the_command_line_that_is_a_link_is_an_error_row(tmp_path):
    write(tmp_path / "real" / "x.py")
    (tmp_path / "alice.py").symlink_to(tmp_path / "real" / "x.py")
    (tmp_path / "folder").symlink_to(tmp_path / "real", target_is_directory=True)
    subs = by_id(batch.discover([tmp_path / "alice.py", tmp_path / "folder"]))
    assert sorted(subs) == ["alice", "folder"]
    assert all("symbolic link" in s.problem for s in subs.values())


# -- every entry that looks like a submission gets a row -----------------------

def test_fifos_dangling_links_and_upper_case_suffixes_get_rows(tmp_path):
    write(tmp_path / "UPPER.PY")
    write(tmp_path / "Nb.IPYNB", "{}")
    os.mkfifo(tmp_path / "fifo.py")
    os.mkfifo(tmp_path / "oddly_named")                    # special, whatever its name
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")
    write(tmp_path / "roster.csv", "a,b\n")                # a regular non-submission: no row
    write(tmp_path / ".hidden.py")
    subs = by_id(batch.discover([tmp_path]))
    assert sorted(subs) == ["Nb", "UPPER", "fifo", "gone", "oddly_named"]
    assert subs["UPPER"].problem == "" and subs["Nb"].problem == ""
    assert "not a regular file" in subs["fifo"].problem
    assert "not a regular file" in subs["oddly_named"].problem


def test_a_fifo_never_hangs_the_batch(tmp_path):
    """Hashing for the resume key and grading both refuse the FIFO without opening it for a read
    that blocks; the whole command runs in a subprocess with a time limit."""
    os.mkfifo(tmp_path / "pipe.py")
    probe = ("import sys; from pathlib import Path; from autograder import batch;"
             "print(batch.result_key(batch.Submission('pipe', Path(sys.argv[1]))))")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "pipe.py")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and len(done.stdout.strip()) == 64, done.stderr
    proc = rnngrade(tmp_path, "--json", "--out", tmp_path / "out", "--jobs", "1", timeout=300)
    row = rows_of(proc)["pipe"]
    assert row["status"] == "error" and "not a regular file" in row["reason"]


# -- a PATH that does not exist is misuse ----------------------------------------

def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    write(tmp_path / "alice.py")
    with pytest.raises(batch.DiscoveryError, match="typo.py"):
        batch.discover([tmp_path / "alice.py", tmp_path / "typo.py"])
    proc = rnngrade(tmp_path / "alice.py", tmp_path / "typo.py", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert b"typo.py" in proc.stderr and b"no such file or folder" in proc.stderr
    assert not (tmp_path / "out").exists()                 # nothing was graded


# -- ids: unique, deterministic, case-insensitive --------------------------------

def test_ids_are_unique_across_paths_and_a_suffix_never_takes_an_existing_id(tmp_path):
    write(tmp_path / "sec1" / "alice.py")
    write(tmp_path / "sec2" / "alice.py")
    write(tmp_path / "sec2" / "alice-2.py")
    forward = batch.discover([tmp_path / "sec1", tmp_path / "sec2"])
    backward = batch.discover([tmp_path / "sec2", tmp_path / "sec1"])
    assert len(set(ids(forward))) == 3 and "alice-2" in ids(forward) and "alice" in ids(forward)
    assert [(s.student, s.path) for s in forward] == [(s.student, s.path) for s in backward]
    assert by_id(forward)["alice-2"].path == tmp_path / "sec2" / "alice-2.py"
    renamed = [s for s in forward if s.path.name == "alice.py" and s.student != "alice"]
    assert any("belongs to another submission" in n for n in renamed[0].notes)


def test_ids_differing_only_in_case_are_made_distinct(tmp_path):
    write(tmp_path / "a" / "Alice.py")
    write(tmp_path / "b" / "alice.py")
    write(tmp_path / "b" / "ALICE-2.py")
    got = ids(batch.discover([tmp_path / "b", tmp_path / "a"]))
    assert len({s.casefold() for s in got}) == 3, got


# -- nbgrader's layout ------------------------------------------------------------

def _nbgrader_class(root, students=("aaron", "bob", "carol")):
    for s in students:
        write(root / s / "hw1" / "rnn.ipynb", "{}")
    return root


def test_a_planted_file_named_after_another_student_does_not_take_their_row(tmp_path):
    root = _nbgrader_class(tmp_path / "submitted")
    write(root / "aaron" / "hw1" / "deep" / "bob.py")
    subs = by_id(batch.discover([root]))
    assert subs["bob"].path == root / "bob" / "hw1" / "rnn.ipynb"
    assert subs["aaron"].path == root / "aaron" / "hw1" / "rnn.ipynb"
    extra = [s for s in subs.values() if s.path.name == "bob.py"]
    assert len(extra) == 1 and extra[0].student.startswith("aaron-")
    assert any("extra entry" in n and "hw1/deep/bob.py" in n for n in extra[0].notes)


def test_one_stray_nested_file_does_not_switch_the_layout_off(tmp_path):
    root = _nbgrader_class(tmp_path / "class_hw1")        # not named "submitted"
    write(root / "carol" / "hw1" / "old" / "draft.py")
    subs = by_id(batch.discover([root]))
    assert {"aaron", "bob", "carol"} <= set(subs)
    assert subs["carol"].path.name == "rnn.ipynb"
    assert len(subs) == 4


def test_every_nbgrader_student_folder_gets_its_row(tmp_path):
    root = _nbgrader_class(tmp_path / "submitted", ("aaron", "bob"))
    (root / "dora" / "hw1").mkdir(parents=True)          # submitted nothing
    (root / "eve").symlink_to(tmp_path, target_is_directory=True)
    write(root / "fred" / "hw1" / "mine.py")             # not the usual name: still fred's row
    subs = by_id(batch.discover([root]))
    assert sorted(subs) == ["aaron", "bob", "dora", "eve", "fred"]
    assert "holds no .py or .ipynb" in subs["dora"].problem
    assert "symbolic link" in subs["eve"].problem
    assert subs["fred"].problem == "" and subs["fred"].path.name == "mine.py"


def test_a_plain_folder_of_files_is_not_taken_for_nbgrader(tmp_path):
    write(tmp_path / "cls" / "alice.py")
    write(tmp_path / "cls" / "late" / "bob.py")
    assert ids(batch.discover([tmp_path / "cls"])) == ["alice", "bob"]


# -- odd file names ------------------------------------------------------------------

ODD = [b"caf\xe9.py", b"two\nlines.py", b"bell\x07.py", b"rtl\xe2\x80\xaeyp.py"]


def test_odd_names_get_printable_unique_ids_with_the_real_name_noted(tmp_path):
    folder = os.fsencode(tmp_path)
    for name in ODD:
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write(ZEROS)
    subs = batch.discover([tmp_path])
    assert len(subs) == len(ODD) and len(set(ids(subs))) == len(ODD)
    for s in subs:
        assert s.student.isprintable() and s.student.encode("utf-8")
        assert os.fsencode(s.path.name) in ODD               # the real name is kept for opening
        assert s.renamed.startswith("file name b") and s.renamed in s.notes
    assert "caf\\xe9" in ids(subs) and "two\\nlines" in ids(subs)


@pytest.mark.slow
def test_odd_names_do_not_break_the_outputs_or_the_json(tmp_path):
    cls = os.path.join(os.fsencode(tmp_path), b"class")
    os.mkdir(cls)
    for name in ODD[:2]:
        with open(os.path.join(cls, name), "w", encoding="utf-8") as f:
            f.write(ZEROS)
    out = tmp_path / "out"
    proc = rnngrade(cls, "--json", "--out", out, "--jobs", "2")
    rows = rows_of(proc)                                       # valid UTF-8 JSON
    assert sorted(rows) == ["caf\\xe9", "two\\nlines"]
    assert all(r["status"] == "graded" for r in rows.values())
    assert any("file name b'caf\\xe9.py'" in n for n in rows["caf\\xe9"]["notes"])
    assert proc.stderr.count(b"shown as id") == 2
    assert len(json.loads((out / "grades.json").read_text(encoding="utf-8"))["submissions"]) == 2
    assert len(list((out / "feedback").glob("*.md"))) == 2


# -- huge files ----------------------------------------------------------------------

def test_the_resume_key_reads_at_most_the_size_limit(tmp_path):
    """A 4 GiB sparse file is hashed under a 1 GiB address-space limit: only cap + 1 bytes are read."""
    big = tmp_path / "big.py"
    with open(big, "wb") as f:
        f.truncate(4 * 1024 ** 3)
    probe = ("import resource, sys; from pathlib import Path;"
             "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
             "from autograder import batch;"
             "print(batch.result_key(batch.Submission('big', Path(sys.argv[1]))))")
    done = subprocess.run([sys.executable, "-c", probe, str(big)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and len(done.stdout.strip()) == 64, done.stderr[-2000:]


def test_a_file_over_the_size_limit_gets_an_error_row_and_is_not_read(tmp_path):
    big = tmp_path / "big.py"
    with open(big, "wb") as f:
        f.truncate(4 * 1024 ** 3)
    proc = rnngrade(big, "--json", "--out", tmp_path / "out", "--jobs", "1")
    row = rows_of(proc)["big"]
    assert row["status"] == "error" and "larger than 16777216 bytes" in row["reason"]
    assert "not read" in row["reason"]



def test_a_file_reached_through_several_paths_is_one_submission(tmp_path):
    root = _nbgrader_class(tmp_path / "submitted", ("aaron", "bob"))
    write(tmp_path / "solo.py")
    (tmp_path / "sub").mkdir()
    os.link(tmp_path / "solo.py", tmp_path / "sub" / "solo.py")     # another entry, same file: a row
    paths = [root, root / "bob" / "hw1" / "rnn.ipynb", tmp_path / "solo.py", tmp_path / "sub" / ".." / "solo.py",
             tmp_path / "sub" / "solo.py"]
    subs = batch.discover(paths)
    assert ids(subs) == ["aaron", "bob", "solo", "solo-2"]
