"""Written answers (issue 11): rubrics, nbgrader's manual grading, the PDF export.

Fast: every written answer has a rubric in both languages whose points are
nbgrader's answer-cell points and otter's manual-question points; no student
notebook holds a rubric, the solution does; the HTML of the written answers
is escaped and self-contained; without Chromium the student is told and the
HTML is still written.

Slow (the real tools): nbgrader generate_assignment, autograde, manual
scores set through nbgrader.api.Gradebook, nbgrader export and
generate_feedback (the rubric and the manual scores in the feedback, no
hidden test); `rnngrade written` printing a filled-in notebook in English
and Chinese to PDF with Debian's chromium, read back with poppler's
pdftoppm and pdftotext.
"""

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import build, submissions
from autograder.build import build_notebooks, notebook, otter_config, otter_release, source
from autograder.build import nbgrader_release as release
from autograder.build.fill import fill_notebook
from autograder.written import answers, export_written, render

ROOT = Path(__file__).resolve().parent.parent
TOOL_TIMEOUT = 1800                   # seconds: the machine is busy
# A student's own answers (not the model answers), with formulas and markup
# that must be shown as text.
STUDENT_ANSWERS = {
    "en": {
        "E1": "Backward has no body, so Python stops with an IndentationError before anything runs.",
        "W1": "Each step back multiplies by a Jacobian whose norm is at most "
              "$\\sigma_{\\max}(W_{hh}) < 1$, so fifty steps shrink the gradient geometrically "
              "<script>alert(1)</script>.",
        "W2": "The forget gate keeps the cell path open: its factor $f_t$ stays near one.",
    },
    "zh": {
        "E1": "反向传播函数没有语句，所以还没运行就出现缩进错误。",
        "W1": "每回退一步都乘以范数不超过 $\\sigma_{\\max}(W_{hh}) < 1$ 的雅可比矩阵，"
              "五十步后梯度按几何级数变小 <script>alert(1)</script>。",
        "W2": "遗忘门让细胞状态的路径保持畅通：因子 $f_t$ 接近一。",
    },
}
UNANSWERED = "W3"


def _rubrics(lang):
    return source.rubrics(source.read(build.DEFAULT_SOURCE), lang)


def _role(cell):
    return cell.metadata.get("rnngrade", {}).get("role")


def _rubric_fragments(lang):
    """A piece of every rubric line's own words (not its points)."""
    out = []
    for rubric in _rubrics(lang).values():
        for line in rubric.text.splitlines():
            if line.startswith("- "):                      # a criterion's first line
                out.append(line.split("：" if lang == "zh" else ": ", 1)[1].strip()[:20])
    return out


def filled_notebook(lang, answered=STUDENT_ANSWERS):
    """The student notebook with the answer key's code and the student's own
    written answers (UNANSWERED left as the placeholder)."""
    nb = fill_notebook(build_notebooks(lang)["student"], submissions.reference_source())
    for cell in nb.cells:
        name = cell.metadata.get("rnngrade", {}).get("name")
        if _role(cell) == "answer" and name in answered[lang]:
            label = cell.source.partition("** ")[0] + "**"
            cell.source = f"{label} {answered[lang][name]}"
    return nb


# ---------------------------------------------------------------------------
# Rubrics: in the source, the solution, nbgrader's and otter's points; never for students

@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_every_written_answer_has_a_rubric_and_the_points_agree(lang):
    rubrics = _rubrics(lang)
    blocks = source.read(build.DEFAULT_SOURCE)
    assert set(rubrics) == {b.name for b in blocks if b.kind == "answer"} == {"E1", "W1", "W2", "W3"}
    other = _rubrics("zh" if lang == "en" else "en")
    assert {n: r.points for n, r in rubrics.items()} == {n: r.points for n, r in other.items()}
    nb = release.source_notebook(lang)
    answer_points = {c.metadata["rnngrade"]["name"]: c.metadata["nbgrader"]["points"]
                     for c in nb.cells if _role(c) == "answer"}
    assert answer_points == {n: float(r.points) for n, r in rubrics.items()}


@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_no_student_notebook_holds_a_rubric_and_the_solution_does(lang):
    books = build_notebooks(lang)
    student, solution = ("\n".join(c.source for c in books[v].cells) + json.dumps(books[v].metadata)
                         for v in ("student", "solution"))
    fragments = _rubric_fragments(lang)
    assert len(fragments) >= 8
    assert not [f for f in fragments if f in student]
    assert all(f in solution for f in fragments)
    title = notebook.RUBRIC_TITLE[lang].split("{")[0]
    assert title not in student and solution.count(title) == 4


def test_the_nbgrader_rubric_cell_follows_each_answer_in_a_mark_scheme_region():
    nb = release.source_notebook("en")
    for index, cell in enumerate(nb.cells):
        if _role(cell) == "answer":
            after = nb.cells[index + 1]
            assert _role(after) == "rubric" and after.metadata["nbgrader"]["locked"] is True
            assert not after.metadata["nbgrader"]["grade"]
            head, _, scheme = after.source.partition("<!-- BEGIN MARK SCHEME -->")
            rubric = _rubrics("en")[cell.metadata["rnngrade"]["name"]]
            assert "feedback after grading" in head and rubric.text.strip() in scheme
            assert "**Rubric (" not in head and "<!-- END MARK SCHEME -->" in scheme
            assert "**Rubric (" not in cell.source      # the rubric is not in the answer cell
    assert "c.ClearMarkScheme.enforce_metadata = False" in release.config_text("en")


def test_otter_manual_questions_are_worth_the_rubric_and_show_it_in_the_solution():
    books = build_notebooks("en")
    master = otter_release.master_notebook(books, otter_config.load())
    import yaml
    manual = {}
    for index, cell in enumerate(master.cells):
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(cell.source.split("\n", 1)[1])
            if config.get("manual"):
                manual[config["name"]] = config["points"]
    assert manual == {n: r.points for n, r in _rubrics("en").items()}
    solutions_text = "\n".join(c.source for c in master.cells if _role(c) == "answer"
                               and not c.id.endswith("-prompt"))
    assert all(f in solutions_text for f in _rubric_fragments("en"))


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("<!-- rubric W2 zh -->", "<!-- md zh -->", 1), "W2 has no rubric in zh"),
    (lambda t: t.replace("- 1 pt: the GRU update gate", "- 2 pts: the GRU update gate", 1),
     "rubric W2 is worth \\[5, 6\\] points"),
    (lambda t: t.replace("- 1 pt: the GRU update gate", "* 1 pt: the GRU update gate", 1),
     "rubric W2 \\(en\\): a line must start"),
])
def test_a_bad_rubric_stops_the_build_with_a_message(change, message):
    text = change(build.DEFAULT_SOURCE.read_text(encoding="utf-8"))
    with pytest.raises(source.SourceError, match=message):
        source.rubrics(source.parse(text), "en")


def test_the_placeholders_are_the_ones_the_releases_write():
    for lang in source.LANGUAGES:
        prompt = notebook.ANSWER_PROMPT[lang].format(name="W1")
        assert answers.strip_label(prompt) in answers.PLACEHOLDERS
        assert release.TEXT_STUB[lang] in answers.PLACEHOLDERS


# ---------------------------------------------------------------------------
# The HTML page: escaped, offline, every question there

def test_the_page_escapes_the_student_and_needs_no_network():
    nb = json.loads(notebook.dumps(filled_notebook("en")))
    written = answers.written_answers(nb)
    assert [w.name for w in written] == ["E1", "W1", "W2", "W3"]
    assert [w.name for w in written if w.unanswered] == [UNANSWERED]
    page = render.page(nb, written)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<math" in page and "\\sigma" not in page.split("</style>")[1]   # formulas as MathML
    assert "default-src 'none'" in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/1998/Math/MathML"', "")
    assert '"Noto Sans CJK SC"' in page
    assert render.TEXT["en"]["none"] in page


def test_a_formula_with_markup_is_shown_as_tex_not_html():
    shown = render.tex_to_mathml("\\text{<img src=x onerror=alert(1)>}")
    assert "<img" not in shown and "&lt;img" in shown


def test_an_answer_cell_without_metadata_is_found_by_its_label():
    nb = json.loads(notebook.dumps(filled_notebook("zh")))
    for cell in nb["cells"]:
        cell["metadata"].pop("rnngrade", None)
    assert [w.name for w in answers.written_answers(nb)] == ["E1", "W1", "W2", "W3"]


def test_without_chromium_the_student_is_told_and_the_html_is_written(tmp_path):
    path = notebook.write(filled_notebook("en"), tmp_path / "rnn_gradients.ipynb")
    env = dict(os.environ, PATH=str(tmp_path / "empty"))          # no chromium on PATH
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "written", str(path), "--out",
                           str(tmp_path / "out" / "written_answers.pdf")], capture_output=True,
                          text=True, timeout=TOOL_TIMEOUT, env=env, cwd=ROOT)
    assert done.returncode == 1
    assert "NO PDF was made: Chromium was not found" in done.stderr
    assert "written_answers.html" in done.stderr and f"not answered yet): {UNANSWERED}" in done.stderr
    html_text = (tmp_path / "out" / "written_answers.html").read_text(encoding="utf-8")
    assert "fifty steps shrink the gradient" in html_text
    assert not (tmp_path / "out" / "written_answers.pdf").exists()


@pytest.mark.parametrize("script, said", [
    ("exec sleep 60", "Chromium did not finish printing within 2 s"),
    ("echo 'cannot open display' >&2; exit 3", "Chromium exited with code 3 and wrote no PDF: cannot open display"),
])
def test_a_chromium_that_fails_is_reported_and_the_html_kept(tmp_path, monkeypatch, script, said):
    fake = tmp_path / "bin" / "chromium"            # a stand-in that hangs or fails
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent) + os.pathsep + "/usr/bin:/bin")
    path = notebook.write(filled_notebook("zh"), tmp_path / "rnn_gradients.ipynb")
    result = export_written(path, tmp_path / "written_answers.pdf", timeout=2)
    assert not result.ok and said in result.message() and "NO PDF was made" in result.message()
    assert "遗忘门让细胞状态的路径保持畅通" in result.html.read_text(encoding="utf-8")


def test_a_file_that_is_not_a_notebook_exits_2(tmp_path):
    bad = tmp_path / "x.ipynb"
    bad.write_text("not json", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "written", str(bad)],
                          capture_output=True, text=True, timeout=TOOL_TIMEOUT, cwd=ROOT)
    assert done.returncode == 2 and "not a Jupyter notebook" in done.stderr


# ---------------------------------------------------------------------------
# Slow: the PDF through Debian's chromium, read back with poppler

def _poppler(tool, *args):
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils (.ci/run does)")
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True,
                          timeout=TOOL_TIMEOUT, check=True).stdout


def _ink(png):
    """The fraction of a page's pixels that are not white."""
    from PIL import Image

    with Image.open(png) as image:
        counts = image.convert("L").histogram()
        return sum(counts[:200]) / sum(counts)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """{lang: (folder, completed `rnngrade written`)} for a filled-in notebook."""
    if shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run does)")
    out = {}
    for lang in source.LANGUAGES:
        folder = tmp_path_factory.mktemp(f"written-{lang}")
        path = notebook.write(filled_notebook(lang), folder / "rnn_gradients.ipynb")
        done = subprocess.run([sys.executable, "-m", "autograder.cli", "written", str(path),
                               "--out", str(folder / "written_answers.pdf")], capture_output=True,
                              text=True, timeout=TOOL_TIMEOUT, cwd=ROOT)
        out[lang] = (folder, done)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_the_pdf_has_the_answers_rendered_formulas_and_cjk_fonts(pdfs, lang):
    folder, done = pdfs[lang]
    assert done.returncode == 0, done.stderr
    assert "written_answers.pdf" in done.stdout and f"not answered yet): {UNANSWERED}" in done.stdout
    pdf = folder / "written_answers.pdf"
    assert (folder / "written_answers.html").is_file()
    _poppler("pdftoppm", "-png", "-r", "60", pdf, folder / "page")
    pages = sorted(folder.glob("page-*.png"))
    assert pages and all(_ink(page) > 0.005 for page in pages)
    text = _poppler("pdftotext", pdf, "-")
    flat = "".join(text.split())
    for answer in STUDENT_ANSWERS[lang].values():
        assert "".join(answer.split("$")[0].split()) in flat           # the words before a formula
    assert "<script>alert(1)</script>" in flat.replace(" ", "")        # shown as text
    assert ("σmax" in flat or "\U0001d70emax" in flat) and "\\sigma" not in text   # a rendered formula
    assert render.TEXT[lang]["none"].replace(" ", "")[:12] in flat      # W3 marked unanswered
    if lang == "zh":        # the page's CJK font is installed (chromium's PDF fonts are unnamed Type 3)
        assert '"Noto Sans CJK SC"' in (folder / "written_answers.html").read_text(encoding="utf-8")
        found = subprocess.run(["fc-match", "Noto Sans CJK SC"], capture_output=True, text=True,
                               timeout=TOOL_TIMEOUT).stdout
        assert "NotoSansCJK" in found, f"fonts-noto-cjk is missing: {found}"


# ---------------------------------------------------------------------------
# Slow: nbgrader's manual grading with the rubric, export and feedback

MANUAL = {"E1": 4.0, "W1": 5.0, "W2": 2.0}           # W3 was not answered: 0


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An en course folder: built, released, one filled-in submission
    autograded, manual scores set through the Gradebook API, exported and
    feedback generated, all with the real nbgrader."""
    from nbgrader.api import Gradebook

    folder = tmp_path_factory.mktemp("course")
    release.build_nbgrader("en", folder)
    released = folder / "release" / release.ASSIGNMENT
    submitted = folder / "submitted" / "alice" / release.ASSIGNMENT
    shutil.copytree(released, submitted)
    rel = nbformat.read(released / release.NOTEBOOK_NAME, 4)
    nb = fill_notebook(rel, submissions.reference_source())
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        name = grade_id.removeprefix("answer_")
        if grade_id.startswith("answer_") and name in STUDENT_ANSWERS["en"]:
            cell.source = f"**Your answer ({name}):** {STUDENT_ANSWERS['en'][name]}"
    notebook.write(nb, submitted / release.NOTEBOOK_NAME)
    for command in (["generate_assignment", release.ASSIGNMENT, "--force"],
                    ["autograde", release.ASSIGNMENT, "--force"]):
        release.run_nbgrader(command, folder, timeout=TOOL_TIMEOUT)
    before = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(Path(release.NOTEBOOK_NAME).stem, release.ASSIGNMENT, "alice")
        for grade in sub.grades:
            if grade.name.startswith("answer_"):
                before[grade.name] = (grade.needs_manual_grade, grade.max_score)
                grade.manual_score = MANUAL.get(grade.name.removeprefix("answer_"), 0.0)
        gb.db.commit()
        auto = sum(g.auto_score or 0 for g in sub.grades if not g.name.startswith("answer_"))
    release.run_nbgrader(["export", "--to", str(folder / "grades.csv")], folder, timeout=TOOL_TIMEOUT)
    release.run_nbgrader(["generate_feedback", release.ASSIGNMENT, "--force"], folder, timeout=TOOL_TIMEOUT)
    return {"folder": folder, "before": before, "auto": auto}


@pytest.mark.slow
def test_the_release_has_the_rubric_cells_without_their_rubric(course):
    nb = nbformat.read(course["folder"] / "release" / release.ASSIGNMENT / release.NOTEBOOK_NAME, 4)
    text = notebook.dumps(nb)
    assert not [f for f in _rubric_fragments("en") if f in text] and "MARK SCHEME" not in text
    notes = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("rubric_")]
    assert len(notes) == 4 and all("feedback after grading" in n for n in notes)


@pytest.mark.slow
def test_written_answers_wait_for_a_grader_worth_the_rubric(course):
    rubrics = _rubrics("en")
    # nbgrader gives an unchanged answer cell 0 without a grader; the others wait for one
    assert course["before"] == {f"answer_{n}": (n != UNANSWERED, float(r.points))
                                for n, r in rubrics.items()}
    autograded = nbformat.read(course["folder"] / "autograded" / "alice" / release.ASSIGNMENT
                               / release.NOTEBOOK_NAME, 4)
    text = notebook.dumps(autograded)                 # what the formgrader shows
    assert all(f in text for f in _rubric_fragments("en"))
    assert STUDENT_ANSWERS["en"]["W2"] in text


@pytest.mark.slow
def test_nbgrader_export_counts_the_manual_scores(course):
    with open(course["folder"] / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student_id"] for r in rows] == ["alice"]
    assert course["auto"] == 100.0                      # the answer key's code
    assert float(rows[0]["score"]) == course["auto"] + sum(MANUAL.values())
    assert float(rows[0]["max_score"]) == 100.0 + sum(r.points for r in _rubrics("en").values())


@pytest.mark.slow
def test_the_feedback_shows_the_manual_scores_and_the_rubric_and_no_hidden_test(course):
    pages = list((course["folder"] / "feedback" / "alice" / release.ASSIGNMENT).glob("*.html"))
    assert len(pages) == 1
    html_text = pages[0].read_text(encoding="utf-8")
    points = {n: r.points for n, r in _rubrics("en").items()}
    for name, score in {**MANUAL, UNANSWERED: 0.0}.items():     # each answer cell's score
        at = html_text.index(f"answer_{name}")
        assert f"Score: {score} / {float(points[name])}" in html_text[at:at + 300]
    visible = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", html_text))).replace("$", "")
    assert all(f.replace("`", "").replace("$", "") in visible for f in _rubric_fragments("en"))
    assert "Rubric (W2, 5 points; for graders)." in visible
    assert "HIDDEN TESTS" not in html_text and "incell" not in html_text
    assert "MARK SCHEME" not in visible                  # the markers are HTML comments


# ---------------------------------------------------------------------------
# Slow: the otter release ships the export and its cell; no rubric for students

@pytest.fixture(scope="module")
def otter_en(tmp_path_factory):
    """The en otter release, built by the real otter assign."""
    out = tmp_path_factory.mktemp("otter") / "otter"
    otter_release.build_otter("en", out)
    return out


@pytest.mark.slow
def test_the_otter_student_release_exports_the_written_pdf_without_latex(otter_en, tmp_path):
    from autograder.sandbox.scaffold import is_scaffolding
    from autograder.written.release import PACKAGE

    student = otter_en / "student"
    nb = nbformat.read(student / otter_release.MASTER_NAME, 4)
    text = "\n".join(c.source for c in nb.cells)
    assert not [f for f in _rubric_fragments("en") if f in text]        # the rubric stays with graders
    solution = "\n".join(c.source for c in nbformat.read(
        otter_en / "autograder" / otter_release.MASTER_NAME, 4).cells)
    assert all(f in solution for f in _rubric_fragments("en"))
    export = [c for c in nb.cells if c.cell_type == "code" and "export_pdf(" in c.source]
    assert len(export) == 1 and is_scaffolding(export[0])                # not run when grading
    assert "grader.export(pdf=False" in text                             # otter's LaTeX PDF is off
    assert (student / PACKAGE / "__init__.py").is_file()
    work = tmp_path / "student"
    shutil.copytree(student, work)
    for cell in nb.cells:
        name = cell.metadata.get("rnngrade", {}).get("name")
        if _role(cell) == "answer" and name in STUDENT_ANSWERS["en"]:
            cell.source = f"**Your answer ({name}):** {STUDENT_ANSWERS['en'][name]}"
    notebook.write(nb, work / otter_release.MASTER_NAME)
    done = subprocess.run([sys.executable, "-c", export[0].source], cwd=work, capture_output=True,
                          text=True, timeout=TOOL_TIMEOUT, env=dict(os.environ, PYTHONPATH=""))
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and f"not answered yet): {UNANSWERED}" in done.stdout
    flat = "".join(_poppler("pdftotext", work / "written_answers.pdf", "-").split())
    assert "".join(STUDENT_ANSWERS["en"]["W2"].split("$")[0].split()) in flat


def test_the_sandbox_skips_the_export_cell_and_nothing_more():
    from autograder.sandbox.scaffold import is_scaffolding
    from autograder.written.release import export_cells

    cell = dict(export_cells("zh", otter_release.MASTER_NAME)[1])
    assert is_scaffolding(cell)
    assert not is_scaffolding({**cell, "source": cell["source"] + "\nimport os"})


def test_the_shipped_exporter_is_standalone_and_holds_no_reference_code():
    """rnn_written goes to students: no import of our packages, no answer-key line."""
    import ast

    from autograder.written.release import HERE, SHIPPED
    from test_build_notebook import _copied_lines

    texts = [(HERE / name).read_text(encoding="utf-8") for name in SHIPPED]
    assert _copied_lines(texts) == {}
    for text in texts:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] not in ("autograder", "solutions")
            if isinstance(node, ast.Import):
                assert not [a for a in node.names if a.name.split(".")[0] in ("autograder", "solutions")]
