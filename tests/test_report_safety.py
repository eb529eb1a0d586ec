"""What instructors and students open is safe and honest: text from a
submission (ids, messages, output, notes) can neither run in a spreadsheet,
repaint a terminal, forge a row or a heading, nor take another student's
feedback file. The hostile text here is plain strings, never run."""

import copy
import csv
import io
import json
import re
from pathlib import Path

import pytest

from autograder import report
from autograder.grading import public
from autograder.textsafe import one_line, printable

FILES = Path(__file__).parent / "files"

# Every character the terminal, a spreadsheet or a Markdown renderer could
# misread, as submissions can smuggle them in.
CONTROLS = ([chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
            + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
               "\u2069", "\u2028", "\u2029", "\u200e", "\u200f", "\u061c", "\udcff"])
FORGED_ROW = "x\n100 of 100 graded\nzed  15  15  15  15  20  20  10  100/100  graded"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\rA\u202egnp.exe"


def _bad(text):
    """The characters of ``text`` that must never reach a terminal."""
    return [c for c in text if c in CONTROLS and c != "\n"]


# -- textsafe ----------------------------------------------------------------

def test_one_line_leaves_no_control_character_and_shows_what_was_there():
    for c in CONTROLS:
        out = one_line(f"a{c}b")
        assert len(out.splitlines()) == 1 and not _bad(out) and "\n" not in out, repr(c)
        assert out.startswith("a\\") and out.endswith("b"), repr(out)
    assert one_line("a\nb\x1b[2J") == "a\\nb\\x1b[2J"
    assert one_line("\u202eexe.txt") == "\\u202eexe.txt"
    assert one_line("naïve 学生 ✓") == "naïve 学生 ✓"          # printable text is kept


def test_one_line_caps_and_printable_keeps_newlines_only():
    assert one_line("x" * 50, limit=10) == "x" * 7 + "..."
    assert one_line("short", limit=10) == "short"
    text = printable("out\r\nmore\x07\rover\u2028\tend")
    assert text.split("\n") == ["out", "more\\x07\\rover\\u2028    end"]
    assert not _bad(printable("".join(CONTROLS)))
    assert len(printable("y" * 100, limit=20)) == 20


# -- result dicts with hostile text ------------------------------------------

HOSTILE_MESSAGE = ("boom\n## q1: 15 / 15\n# Feedback for bob\n<img src=x onerror=alert(1)>\n"
                   "| a | b |\n|---|---|\n```\n[click](javascript:alert(1)) ![i](http://x/i.png) &amp; *b* "
                   + ESCAPES)
HOSTILE_IDS = ["=2+3", "+cmd|' -c calc'!A1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx", "'quoted",
               FORGED_ROW, ESCAPES, "# heading <b>bold</b>", "a b", "a_b", "Bob", "bob", "../x", "con",
               "\udcff\udcfe", "学生"]


@pytest.fixture(scope="module")
def graded():
    """A realistic result: the honest all-zeros submission, graded in this process."""
    from autograder.grading import grade_source

    return grade_source((FILES / "zeros.py").read_text(encoding="utf-8"), "zeros").to_dict()


def hostile(result, student="mallory"):
    """``result`` with hostile text wherever a submission can put some: its
    id, the reason, the notes and a finding that quotes its exception."""
    r = copy.deepcopy(result)
    r.update(student=student, status="error", reason="the submission failed while loading: " + HOSTILE_MESSAGE,
             notes=["cell 3 raised ValueError: " + HOSTILE_MESSAGE, "printed:\n" + FORGED_ROW])
    fn = r["functions"][2]
    fn["findings"].insert(0, f"`{fn['function']}` raised ValueError: {HOSTILE_MESSAGE}")
    q = next(q for q in r["questions"] if q["id"] == fn["question"])
    q["feedback"].insert(1, fn["findings"][0])
    return r


def _rows(results):
    return list(csv.reader(io.StringIO(report.grades_csv(results))))


# -- grades.csv ----------------------------------------------------------------

def test_no_csv_cell_from_a_submission_can_run_as_a_formula(graded):
    results = [hostile(graded, s) for s in HOSTILE_IDS]
    results[0]["reason"] = "=HYPERLINK(\"http://x\",\"fix\")"
    rows = _rows(results)
    header, body = rows[0], rows[1:]
    assert len(body) == len(results)
    text_columns = [header.index(c) for c in ("student", "status", "reason", "submitted_at", "time_source")]
    for row in body:
        for i, cell in enumerate(row):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), (header[i], cell)
            assert not _bad(cell) and "\n" not in cell, (header[i], cell)
            if i not in text_columns:
                assert float(cell) >= 0                  # numbers are ours and never negative
    assert [report.read_csv_cell(row[0]) for row in body[:7]] == [one_line(s) for s in HOSTILE_IDS[:7]]


def test_a_negative_zero_score_is_written_as_zero(graded):
    r = copy.deepcopy(graded)
    r["score"] = -0.0
    r["questions"][0]["score"] = -0.0
    assert all(not cell.startswith("-") for cell in _rows([r])[1])


# -- the terminal --------------------------------------------------------------

def test_the_grade_table_has_one_line_per_result_and_no_control_character(graded):
    results = [hostile(graded, s) for s in HOSTILE_IDS]
    text = report.table(results)
    lines = text.split("\n")
    assert len(lines) == 2 + len(results) + 1                    # header, rule, rows, summary
    assert not _bad(text)
    assert sum("submissions, mean score" in line for line in lines) == 1
    assert not any(line.startswith(("100 of 100", "zed ")) for line in lines)
    assert lines[-1].startswith(f"{len(results)} submissions")
    assert all(len(line) < 300 for line in lines)               # reasons are cut


# -- Markdown --------------------------------------------------------------------

def _markdown_html(text):
    """The HTML a CommonMark renderer (raw HTML allowed, GFM tables on) makes of ``text``."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable("table").render(text)


HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "strong", "ul", "li", "code",
             "pre", "svg", "rect", "line", "text", "polyline"}


def _tags(html_text):
    return re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html_text)


def test_markdown_from_a_hostile_submission_makes_no_heading_link_image_or_html(graded):
    r = hostile(graded, "# heading <b>bold</b>\n## q9")
    rendered = _markdown_html(report.feedback_markdown(r))
    assert set(_tags(rendered)) <= {"h1", "h2", "p", "strong", "ul", "li", "code", "pre"}, set(_tags(rendered))
    headings = re.findall(r"<h([12])>(.*?)</h\1>", rendered)
    assert headings[0] == ("1", "Feedback for # heading &lt;b&gt;bold&lt;/b&gt;\\n## q9")
    assert [h for _, h in headings[1:]] == [f"{q['id']}: {q['score']:g} / {q['max_score']:g}"
                                            for q in r["questions"]]
    assert "onerror=alert(1)" in rendered and "<img" not in rendered   # shown as text, never a tag
    assert "javascript:" not in re.sub(r"<pre>.*?</pre>|<li>.*?</li>", "", rendered, flags=re.S)
    assert not _bad(rendered)


def test_markdown_labels_the_submission_s_own_text_and_fences_it(graded):
    r = hostile(graded)
    r["notes"].append("````` four-plus backticks cannot close the fence\n# still inside")
    text = report.feedback_markdown(r)
    assert "may quote the submission's own messages" in text
    assert "may quote the submission's own output and messages" in text
    rendered = _markdown_html(text)
    blocks = re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", rendered, flags=re.S)
    assert len(blocks) == 1 + len(r["notes"])
    assert "# still inside" in blocks[-1] and "## q1: 15 / 15" in blocks[0]


# -- HTML --------------------------------------------------------------------

def test_html_feedback_escapes_every_hostile_string(graded):
    r = hostile(graded, "<script>alert(1)</script>\u202e")
    page = report.feedback_html(r)
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert set(_tags(page)) <= HTML_TAGS
    assert "Content-Security-Policy" in page
    assert not _bad(page)
    assert "may quote the submission&#x27;s own messages" in page


# -- nested findings -----------------------------------------------------------

def test_markdown_and_html_nest_each_function_s_findings_under_it(graded):
    q1 = next(q for q in graded["questions"] if q["id"] == "q1")
    fns = [f for f in graded["functions"] if f["question"] == "q1"]
    md = report.feedback_markdown(graded)
    section = md.split("## q1")[1].split("## q2")[0]
    items = [line for line in section.split("\n") if line.strip().startswith("- ")]
    assert [line for line in items if line.startswith("- ")] == [
        "- " + f["head"] for f in fns]                 # our head lines need no escaping
    assert len(items) == len(q1["feedback"])
    rendered = _markdown_html(md).split("q1:")[1].split("<h2>")[0]
    assert rendered.count("<ul>") == 1 + sum(bool(f["findings"]) for f in fns)
    page = report.feedback_html(graded).split("q1:")[1].split("<h2")[0]
    for f in fns:
        head = re.escape(f["head"].split("`")[1])
        assert re.search(rf"<li><code>{head}</code>[^<]*<ul><li>", page)


def test_without_functions_the_flat_feedback_is_shown(graded):
    r = {k: v for k, v in graded.items() if k != "functions"}
    md = report.feedback_markdown(r)
    q1 = next(q for q in r["questions"] if q["id"] == "q1")
    section = md.split("## q1")[1].split("## q2")[0]
    assert [line for line in section.split("\n") if line.startswith("- ")] == [
        f"- {_md_line(line)}" for line in q1["feedback"]]


def test_gradescope_output_is_plain_text_with_findings_indented(graded):
    r = hostile(graded)
    gs = report.gradescope_results(r)
    fn = r["functions"][2]
    test = next(t for t in gs["tests"] if t["name"] == fn["question"])
    assert gs["output_format"] == "text" and test["output_format"] == "text"
    lines = test["output"].split("\n")
    head = lines.index(fn["head"])
    assert lines[head + 1].startswith("    - ") and "ValueError" in lines[head + 1]
    assert len(lines) == sum(1 + len(f["findings"]) for f in r["functions"] if f["question"] == fn["question"])
    assert not _bad(json.dumps(gs, ensure_ascii=False))
    assert all(line.startswith("    ") for line in gs["output"].split("\n")[1:] if "#" in line or "|" in line)


# -- file names ----------------------------------------------------------------

ADVERSARIAL_ID_SETS = [
    ["a b", "a_b", "a-b", "a.b", "a/b", "a\\b", "a_b~0123456789"],
    ["Bob", "bob", "BOB", "bOb"],
    ["Bob", "BOB"],
    ["x", "X", "x.", "x..", ".x", "-x", "_x", "x~", "con", "CON", "con.txt", "nul", "lpt1"],
    ["", ".", "..", "/", "\x00", "\n", "~", "student", "student~"],
    ["\udcff", "\udcfe", "é", "e\u0301", "学生", "学_生"],
    ["a" * 100, "a" * 101, "a" * 100 + "b", "A" * 100],
    HOSTILE_IDS,
]


def _check_names(ids):
    names = report.file_names(ids)
    assert set(names) == set(ids)
    assert len({n.lower() for n in names.values()}) == len(ids)          # distinct even ignoring case
    for student, name in names.items():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", name) and len(name) <= 100, name
        assert not name.endswith(".")
        if "~" not in name:
            assert name == student                   # a name without the mark is the id itself
    for student in ids:
        if re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,99}", student) and not student.endswith(".") \
                and student.split(".")[0] not in ("con", "nul", "aux", "prn", "lpt1"):
            assert names[student] == student        # a safe lower-case id keeps exactly its name
    assert report.file_names(list(reversed(ids))) == names                # deterministic


@pytest.mark.parametrize("ids", ADVERSARIAL_ID_SETS)
def test_every_student_gets_a_file_name_of_their_own(ids):
    _check_names(ids)


def test_file_names_over_random_sets_of_ids():
    from hypothesis import given, strategies as st

    pieces = st.sampled_from(list("aAbB_-.~ /\\\n\x1b\u202e学") + ["con", "\udcff"])
    one_id = st.lists(pieces, max_size=6).map("".join)
    ids = st.lists(one_id, min_size=1, max_size=12, unique=True)
    given(ids)(_check_names)()


def test_a_safe_id_keeps_its_name_unless_another_differs_only_in_case():
    names = report.file_names(["Alice", "bob", "Bob", "carol_1"])
    assert names["Alice"] == "Alice" and names["bob"] == "bob" and names["carol_1"] == "carol_1"
    assert names["Bob"].startswith("Bob~")
    assert report.file_names(["a b", "a_b"])["a_b"] == "a_b"


def test_each_row_s_files_are_its_own_and_the_index_names_them(graded, tmp_path):
    results = [hostile(graded, s) for s in HOSTILE_IDS]
    report.write_outputs(tmp_path, results)
    with open(tmp_path / "feedback" / "index.csv", newline="", encoding="utf-8") as f:
        index = {report.read_csv_cell(r["student"]): report.read_csv_cell(r["file"]) for r in csv.DictReader(f)}
    assert len(index) == len(results)
    names = report.file_names(s for s in HOSTILE_IDS)
    for student in HOSTILE_IDS:
        name = names[student]
        assert index[one_line(student)] == name
        md = (tmp_path / "feedback" / f"{name}.md").read_text(encoding="utf-8")
        assert md.split("\n")[0] == "# Feedback for " + _md_line(student, 200)
        gs = json.loads((tmp_path / "gradescope" / name / "results.json").read_text(encoding="utf-8"))
        assert gs["score"] == graded["score"]
    assert (tmp_path / "feedback" / "a_b.md").exists() and (tmp_path / "feedback" / "bob.md").exists()
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == sorted(
        [f"{n}.md" for n in names.values()] + [f"{n}.html" for n in names.values()] + ["index.csv"])
    doc = json.loads((tmp_path / "grades.json").read_text(encoding="utf-8"))
    assert [s["student"] for s in doc["submissions"]] == HOSTILE_IDS        # grades.json keeps exact ids
    # written one row at a time, byte for byte the document --json prints
    assert (tmp_path / "grades.json").read_text(encoding="utf-8") == report.json_text(
        {"submissions": [public(r) for r in results]})


def _md_line(text, *limit):
    """``text`` as one Markdown line of a feedback file."""
    from autograder.reports.feedback import md_inline
    return md_inline(text, *limit)


def test_json_text_escapes_what_a_terminal_acts_on_and_keeps_the_values():
    doc = {"s": ["\x1b]0;x\x07", "\x9b1m", "\u202e", "\u2028", "\udcff", "é学"]}
    text = report.json_text(doc)
    assert json.loads(text) == doc
    assert not _bad(text) and "é学" in text


# -- end to end: `rnngrade grade` on files with hostile names --------------------

HOSTILE_FILE_STEMS = ["=2+3", "+cmd|' -c calc'!A1", "-2+3", "@SUM(A1)", FORGED_ROW.replace("/", " of "), ESCAPES,
                      "a b", "a_b", "Bob", "bob"]


def _run(argv):
    import subprocess

    return subprocess.run(argv, capture_output=True, timeout=600)


def _rnngrade(*args):
    """The real command in a subprocess (the honest zeros file is all it grades)."""
    import sys

    return _run([sys.executable, "-m", "autograder.cli", "grade", *map(str, args)])


@pytest.fixture(scope="module")
def hostile_names(tmp_path_factory):
    """A class folder whose file names are hostile (their contents: tests/files/zeros.py)."""
    import os

    d = tmp_path_factory.mktemp("names")
    zeros = (FILES / "zeros.py").read_bytes()
    for stem in HOSTILE_FILE_STEMS:
        (d / f"{stem}.py").write_bytes(zeros)
    with open(os.path.join(os.fsencode(d), b"\xff\xfe.py"), "wb") as f:     # not UTF-8
        f.write(zeros)
    return d


@pytest.mark.slow
def test_rnngrade_prints_no_control_character_and_one_row_per_file(hostile_names, tmp_path):
    out = tmp_path / "out"
    n = len(HOSTILE_FILE_STEMS) + 1
    proc = _rnngrade(hostile_names, "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert not _bad(stdout) and not _bad(stderr)
    lines = stdout.rstrip("\n").split("\n")
    assert len(lines) == 2 + n + 2                       # header, rule, rows, summary, "wrote ..."
    assert lines[-2].startswith(f"{n} submissions, mean score")
    assert not any(line.startswith(("100 of 100", "zed ")) for line in lines + stderr.split("\n"))
    assert len(re.findall(r"^\[\d+/\d+\] ", stderr, flags=re.M)) == n       # one progress line each
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n
    assert not any(r["student"].startswith(("=", "+", "-", "@")) for r in rows)
    with open(out / "feedback" / "index.csv", newline="", encoding="utf-8") as f:
        files = [r["file"] for r in csv.DictReader(f)]
    assert len(set(files)) == n and len(list((out / "feedback").glob("*.md"))) == n
    again = _rnngrade(hostile_names, "--out", out, "--json")              # from the cache
    assert not _bad(again.stdout.decode("utf-8")) and not _bad(again.stderr.decode("utf-8"))
    assert len(json.loads(again.stdout)["submissions"]) == n


@pytest.mark.slow
def test_the_progress_bar_shows_hostile_ids_as_text(hostile_names, tmp_path):
    import shlex
    import shutil
    import sys

    if not shutil.which("script"):
        pytest.skip("util-linux `script` (which gives the command a terminal) is missing")
    command = [sys.executable, "-m", "autograder.cli", "grade", str(hostile_names), "--jobs", "2",
               "--out", str(tmp_path / "out")]
    # `script` runs the command on a pseudo-terminal (tqdm's bar) and copies what it shows to stdout.
    proc = _run(["script", "-qefc", shlex.join(command), "/dev/null"])
    assert proc.returncode == 0 and b"grading" in proc.stdout and b"100%" in proc.stdout
    for raw in (b"\x1b]0;pwned", b"\x07", "\x9b".encode(), "\u202e".encode(), b"\n100 of 100"):
        assert raw not in proc.stdout, raw


def test_stderr_messages_of_the_cli_are_one_line(tmp_path, capsys):
    from autograder import cli

    (tmp_path / "a.py").write_text("")                       # never graded: the config is refused first
    bad = tmp_path / f"conf{ESCAPES}\nrnngrade: all good.json"
    assert cli.main(["grade", str(tmp_path / "a.py"), "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rnngrade: ") and not _bad(err)
    assert "\\x1b]0;pwned" in err                            # shown, not acted on


def test_no_text_in_any_place_changes_the_markdown_s_structure(graded):
    from hypothesis import given, strategies as st

    pieces = st.sampled_from(list("`*_[]()<>!#&|~\\-+=.:/ \n\taz19") + ["```", "<img src=x>", "1. ", "## ",
                                                                        "&amp;", "http://x", "\u202e"])
    text = st.lists(pieces, max_size=12).map("".join)
    base = copy.deepcopy(graded)
    n_items = len(base["functions"]) + sum(len(f["findings"]) + 1 for f in base["functions"])

    @given(text)
    def check(t):
        r = copy.deepcopy(base)
        r.update(student=t, status="error", reason=t, notes=[t, t])
        for f in r["functions"]:
            f["findings"].append(t)
        rendered = _markdown_html(report.feedback_markdown(r))
        assert set(_tags(rendered)) <= {"h1", "h2", "p", "strong", "ul", "li", "code", "pre"}
        assert rendered.count("<h1>") == 1 and rendered.count("<h2>") == len(r["questions"])
        assert rendered.count("<li>") == n_items and rendered.count("<pre>") == 3
        page = report.feedback_html(r)
        assert set(_tags(page)) <= HTML_TAGS and page.count("<li>") == n_items and page.count("<pre>") == 3
        gs = report.gradescope_results(r)
        assert sum(t["output"].count("\n") + 1 for t in gs["tests"]) == n_items

    check()


def test_the_norms_plot_skips_values_without_a_logarithm():
    svg = report.norms_svg({"yours": [float("inf"), float("nan"), 0.0, -1.0, 1e300, 10.0, 1.0],
                            "expected": [1.0, 2.0, 4.0]})
    assert svg.startswith("<svg") and "inf" not in svg and "nan" not in svg
    assert svg.count(">1e") <= 10                          # a 1e300 norm does not make 300 ticks
    assert report.norms_svg({"yours": [float("inf"), float("nan")]}) == ""
