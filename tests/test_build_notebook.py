"""The notebook builder (autograder/build/): the student and solution notebooks
in English and Chinese from one source.

Fast tests build the notebooks without a kernel; tests marked slow start
ipykernel through nbclient (and one grades the built notebooks with rnngrade).
"""

import ast
import copy
import inspect
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import solutions
from autograder import public, spec, submissions
from autograder.build import code, notebook, source
from autograder import build

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")
MIN_LINE = 12                 # shorter reference lines (`return dx`) are not evidence of copying


@pytest.fixture(scope="module")
def books():
    """{(lang, variant): notebook}, not executed."""
    return {(lang, variant): nb for lang in source.LANGUAGES
            for variant, nb in build.build_notebooks(lang).items()}


def _code(nb):
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def _normal(line):
    return " ".join(line.split())


# ---------------------------------------------------------------------------
# No reference code in the student notebook

def _docstring_lines(tree):
    """Line numbers (1-based) of every docstring in a module."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
            doc = node.body[0]
            lines.update(range(doc.lineno, doc.end_lineno + 1))
    return lines


def reference_lines():
    """Every non-trivial line of the bodies of solutions/*.py functions, except
    the helpers the student is given in full; comments and docstrings left out."""
    provided = set(code.provided_helpers())
    out = {}
    for path in sorted((ROOT / "solutions").glob("*.py")):
        text = path.read_text()
        tree = ast.parse(text)
        docs = _docstring_lines(tree)
        lines = text.splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name in provided:
                continue
            for number in range(node.body[0].lineno, node.end_lineno + 1):
                line = _normal(lines[number - 1].split("#")[0] if "#" in lines[number - 1]
                               and "'#'" not in lines[number - 1] else lines[number - 1])
                if number not in docs and len(line) >= MIN_LINE:
                    out.setdefault(line, f"{path.name}:{number}")
    return out


def _copied_lines(texts):
    """Reference lines found in some text: {line: where in solutions/}."""
    reference = reference_lines()
    found = {}
    for text in texts:
        for line in text.splitlines():
            line = _normal(line.split("#")[0])
            if line in reference:
                found[line] = reference[line]
    return found


def test_reference_lines_are_found_in_the_solution_notebook(books):
    """Does the copy detector see the answer key where it is (so its silence means something)?"""
    found = _copied_lines(_code(books["en", "solution"]))
    assert len(found) > 100, f"only {len(found)} reference lines found in the solution notebook"


@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_student_notebook_holds_no_reference_code(books, lang):
    """Does any non-trivial line of the answer key reach the student notebook?"""
    nb = books[lang, "student"]
    texts = _code(nb) + [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    assert _copied_lines(texts) == {}


def test_student_function_cells_are_stubs(books):
    """Does every contract function appear once, as a stub that raises NotImplementedError?"""
    seen = []
    for cell in books["en", "student"].cells:
        meta = cell.metadata.get("rnngrade", {})
        if meta.get("role") == "function":
            tree = ast.parse(cell.source)
            (func,) = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
            assert func.name == meta["name"]
            assert isinstance(func.body[-1], ast.Raise), func.name
            assert meta["question"] == spec.question_of(func.name)
            seen.append(func.name)
    assert seen == list(spec.FUNCTIONS)


# ---------------------------------------------------------------------------
# Stub docstrings state the contract, never the answer

def _reference_function(name):
    return getattr(solutions, name)


def answer_leaks(name, doc):
    """What of the answer a docstring gives away: decimal values, expressions the
    function computes (its assignments and returns), the classic formulas."""
    leaks = []
    squeezed = re.sub(r"\s+", "", doc).replace("1.0", "1")
    leaks += [f"value {v}" for v in re.findall(r"(?<![\w.])\d+\.\d+", doc)]
    tree = ast.parse(textwrap.dedent(inspect.getsource(_reference_function(name))))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.Return, ast.AugAssign)) and node.value is not None:
            expr = re.sub(r"\s+", "", ast.unparse(node.value)).replace("1.0", "1")
            if len(expr) >= 6 and re.search(r"[-+*/@]", expr) and expr in squeezed:
                leaks.append(f"expression {expr}")
    for pattern in (r"1-[\w\[\]]+\*\*2", r"max_norm/total_norm", r"\w+\*\(1-\w+\)"):
        leaks += [f"formula {m}" for m in re.findall(pattern, squeezed)]
    return leaks


def _stub_docstrings(nb):
    out = {}
    for cell in nb.cells:
        if cell.metadata.get("rnngrade", {}).get("role") == "function":
            func = ast.parse(cell.source).body[0]
            out[func.name] = ast.get_docstring(func)
    return out


def test_the_leak_detector_flags_the_answer_keys_own_docstrings():
    """Would the docstring check catch the answer key's docstrings that give answers away?"""
    flagged = {name for name in spec.FUNCTIONS
               if answer_leaks(name, inspect.getdoc(_reference_function(name)))}
    assert {"chain_product", "max_activation_derivative", "hidden_jacobian",
            "clip_grad_norm"} <= flagged


def test_no_stub_docstring_gives_the_answer_away(books):
    """Does any stub docstring hold a value or expression its function must return?"""
    docs = _stub_docstrings(books["en", "student"])
    leaks = {name: answer_leaks(name, doc) for name, doc in docs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_stub_docstrings_define_the_letters(books):
    """Does every stub that gives shapes in N, T, D, H say what the letters mean?"""
    for name, doc in _stub_docstrings(books["en", "student"]).items():
        if "(N" in doc:
            assert code.LETTERS in doc, name


# ---------------------------------------------------------------------------
# Languages

def _prose(nb):
    """The notebook's Markdown without maths, code spans and fenced code."""
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$|`[^`]*`", " ", text)
    return text


def test_the_chinese_notebook_is_written_in_chinese(books):
    """Is most of the zh notebook's prose Chinese, in every Markdown cell?"""
    for cell in books["zh", "student"].cells:
        if cell.cell_type == "markdown":
            assert CJK.search(cell.source), cell.source[:80]
    prose = _prose(books["zh", "student"])
    cjk, latin = len(CJK.findall(prose)), len(LATIN.findall(prose))
    assert cjk > 2 * latin, (cjk, latin)


def test_the_english_notebook_is_written_in_english(books):
    """Is the en notebook's prose free of Chinese and mostly words?"""
    prose = _prose(books["en", "student"])
    assert CJK.findall(prose) == []
    assert len(re.findall(r"\b(the|and|of|is)\b", prose)) > 200


def test_languages_share_code_and_cell_ids(books):
    """Are the code cells and the cell ids the same in both languages?"""
    for variant in ("student", "solution"):
        en, zh = books["en", variant], books["zh", variant]
        assert _code(en) == _code(zh)
        assert [c.id for c in en.cells] == [c.id for c in zh.cells]
        assert len({c.id for c in en.cells}) == len(en.cells)


def test_written_answers_are_model_answers_only_in_the_solution(books):
    """Does the student see an empty answer cell where the solution has a model answer?"""
    for lang in source.LANGUAGES:
        student = [c.source for c in books[lang, "student"].cells
                   if c.metadata.get("rnngrade", {}).get("role") == "answer"]
        solution = [c.source for c in books[lang, "solution"].cells
                    if c.metadata.get("rnngrade", {}).get("role") == "answer"]
        assert len(student) == len(solution) >= 4
        assert all(s.startswith("**") and len(s) < 120 for s in student)
        assert all(len(s) > 150 for s in solution)


# ---------------------------------------------------------------------------
# The source format

GOOD = """note to reviewers

<!-- md en -->
Hello
<!-- md zh -->
你好
<!-- code -->
```python
x = 1
```
"""


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("<!-- md zh -->", "<!-- md -->"), "needs language"),
    (GOOD.replace("<!-- code -->", "<!-- cell -->"), "unknown block kind"),
    (GOOD.replace("```python\nx = 1\n```", "x = 1"), "one fenced"),
    (GOOD + "<!-- function chain_product -->\nbody\n", "takes no body"),
    (GOOD + "<!-- md en -->\nonly English\n", "en has 3 cells, zh 2"),
], ids=["md-without-language", "unknown-kind", "code-without-fence",
        "function-with-body", "unparallel-languages"])
def test_a_malformed_source_is_refused_with_its_line(text, message):
    """Does a malformed source raise SourceError saying what is wrong?"""
    with pytest.raises(source.SourceError, match=message):
        source.check_parallel(source.parse(text, "nb.md"))


def test_a_good_source_parses():
    blocks = source.parse(GOOD, "nb.md")
    source.check_parallel(blocks)
    assert [(b.kind, b.lang) for b in blocks] == [("md", "en"), ("md", "zh"), ("code", None)]
    assert blocks[2].body == "x = 1"


def test_a_missing_function_cell_is_refused():
    """Does the build refuse a source that leaves a contract function out?"""
    blocks = [b for b in source.read(build.DEFAULT_SOURCE)
              if not (b.kind == "function" and b.name == "decay_rate")]
    with pytest.raises(source.SourceError, match="decay_rate"):
        notebook.build_notebook(blocks, "en", "student")


def test_every_question_has_one_check_cell_with_its_metadata(books):
    """Is there one public-check cell per question, after its functions, importing the bundle?"""
    for (lang, variant), nb in books.items():
        checks = [(i, c) for i, c in enumerate(nb.cells) if c.metadata.get("rnngrade", {}).get("role") == "check"]
        assert [c.metadata.rnngrade.question for _, c in checks] == list(spec.QUESTION_IDS)
        for index, cell in checks:
            qid = cell.metadata.rnngrade.question
            assert cell.cell_type == "code" and cell.metadata.rnngrade == {"role": "check", "question": qid}
            assert cell.source == f'from rnn_checks import check\ncheck("{qid}", globals())'
            functions = [i for i, c in enumerate(nb.cells) if c.metadata.get("rnngrade", {}).get("question") == qid
                         and c.metadata.rnngrade.get("role") == "function"]
            assert max(functions) < index, (lang, variant, qid)


def test_a_missing_or_doubled_check_cell_is_refused():
    """Does the build refuse a source without a question's check cell, or with two?"""
    blocks = source.read(build.DEFAULT_SOURCE)
    without = [b for b in blocks if not (b.kind == "check" and b.name == "q3")]
    with pytest.raises(source.SourceError, match="question q3 has 0 check cells"):
        notebook.build_notebook(without, "en", "student")
    doubled = blocks + [b for b in blocks if b.kind == "check" and b.name == "q3"]
    with pytest.raises(source.SourceError, match="question q3 has 2 check cells"):
        notebook.build_notebook(doubled, "en", "student")
    with pytest.raises(source.SourceError, match="takes no body"):
        source.parse(GOOD + "<!-- check q1 -->\nprint(1)\n", "nb.md")
    with pytest.raises(source.SourceError, match="needs name"):
        source.parse(GOOD + "<!-- check -->\n", "nb.md")


def test_solution_cells_are_the_answer_key():
    """Is each solution function cell the answer key's own code, from solutions/?"""
    cells = code.reference_cells()
    for name in spec.FUNCTIONS:
        assert submissions._function_source(submissions.reference_source(), name).strip() in cells[name]


# ---------------------------------------------------------------------------
# With a kernel

def _errors(nb):
    return [out for cell in nb.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"]


def _stream_text(cell):
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory):
    """Two builds (both languages, solution executed) into two folders: the
    whole of `rnngrade build` by the command line, and the notebooks alone by
    the function (each release's own test module builds it twice)."""
    from autograder import cli
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    assert cli.main(["build", "--out", str(first)]) == 0
    written = sorted(p for p in first.rglob("*.ipynb") if p.relative_to(first).parts[1] in build.VARIANTS)
    return first, second, written, build.build(second, releases=())


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_the_command_writes_every_release(built_twice, lang):
    first = built_twice[0]
    assert (first / lang / "otter" / "student" / "rnn_gradients.ipynb").is_file()
    assert list((first / lang / "otter" / "autograder").glob("*.zip"))
    assert (first / lang / "nbgrader" / "release" / "rnn_gradients" / "rnn_gradients.ipynb").is_file()
    assert (first / lang / "nbgrader" / "nbgrader_config.py").is_file()
    assert (first / lang / "gradescope" / "autograder.zip").is_file()


@pytest.mark.slow
def test_the_build_writes_both_variants_in_both_languages(built_twice):
    first, _, written, _ = built_twice
    variants = [p.relative_to(first).as_posix() for p in written
                if p.relative_to(first).parts[1] in build.VARIANTS]       # not otter/student/
    assert sorted(variants) == [
        f"{lang}/{variant}/rnn_gradients.ipynb"
        for lang in ("en", "zh") for variant in ("solution", "student")]


@pytest.mark.slow
def test_the_build_is_byte_reproducible(built_twice):
    """Does building twice give the same bytes (notebooks and the public-check bundles)?"""
    first, second, written, by_function = built_twice
    bundles = sorted(p for p in first.rglob("*") if p.is_file() and "rnn_checks" in p.parts
                     and "__pycache__" not in p.parts and p.relative_to(first).parts[1] in build.VARIANTS)
    assert len(bundles) >= 4 * 20
    for path in written + bundles:
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path
    beside = {p.relative_to(first) for p in bundles if p.relative_to(first).parts[1] in build.VARIANTS}
    assert {p.relative_to(second) for p in by_function if "rnn_checks" in p.parts} >= beside


@pytest.mark.slow
@pytest.mark.parametrize("variant", ("student", "solution"))
def test_the_bundle_sits_beside_each_built_notebook(built_twice, variant):
    first = built_twice[0]
    for lang in source.LANGUAGES:
        folder = first / lang / variant
        assert (folder / "rnn_checks" / "__init__.py").is_file()
        assert (folder / "rnn_checks" / "public_cases.json").is_file()
        assert not (folder / "rnn_checks" / "checks" / "hidden.py").exists()


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_the_solution_notebook_ran_without_an_error_cell(built_twice, lang):
    """Did every code cell of the answer-key notebook run, with no error and every check ok?"""
    first = built_twice[0]
    nb = json.loads((first / lang / "solution" / "rnn_gradients.ipynb").read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in cells)
    assert _errors(nb_as_node(nb)) == []
    text = "".join(_stream_text(c) for c in nb_as_node(nb).cells if c.cell_type == "code")
    assert "TOO LARGE" not in text and "not implemented" not in text
    assert text.count(" ok") >= 45
    assert "9.801792" in text
    for qid in spec.QUESTION_IDS:
        assert f"All public cases of {qid} passed" in text
    pictures = [o for c in cells for o in c["outputs"] if "image/png" in o.get("data", {})]
    assert len(pictures) == 2


def nb_as_node(nb):
    import nbformat
    return nbformat.from_dict(nb)


@pytest.mark.slow
@pytest.mark.parametrize("lang", source.LANGUAGES)
def test_the_untouched_student_notebook_runs_without_an_error_cell(tmp_path, lang):
    """Does the untouched student notebook run top to bottom, saying what is not implemented yet?"""
    nb = copy.deepcopy(build.build_notebooks(lang)["student"])
    public.write_bundle(tmp_path)
    notebook.execute(nb, tmp_path)
    assert _errors(nb) == []
    says = [c for c in nb.cells if c.cell_type == "code" and "not implemented yet" in _stream_text(c)]
    calling = [c for c in nb.cells if c.cell_type == "code" and "except NotImplementedError" in c.source]
    checks = [c for c in nb.cells if c.metadata.get("rnngrade", {}).get("role") == "check"]
    assert len(says) == len(calling) + len(checks) and len(calling) >= 8 and len(checks) == len(spec.QUESTIONS)
    for cell in checks:
        text = _stream_text(cell)
        assert text.count("not implemented yet") == len(spec.QUESTIONS[int(cell.metadata.rnngrade.question[1:])].points)
        assert "hidden tests check more" in text


@pytest.mark.slow
def test_rnngrade_grades_the_built_notebooks(built_twice, tmp_path):
    """Does the sandboxed grader give the built solution full marks and the student notebook zero?"""
    first = built_twice[0]
    paths = []
    for variant in ("solution", "student"):
        target = tmp_path / f"{variant}.ipynb"
        target.write_bytes((first / "zh" / variant / "rnn_gradients.ipynb").read_bytes())
        paths.append(str(target))
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", *paths, "--json",
                           "--quiet", "--jobs", "1"], capture_output=True, text=True, timeout=900,
                          cwd=ROOT)
    scores = {s["student"]: s["score"] for s in json.loads(done.stdout)["submissions"]}
    assert scores == {"solution": spec.MAX_SCORE, "student": 0.0}


def test_cli_build_refuses_an_unknown_language(capsys):
    from autograder import cli
    with pytest.raises(SystemExit):
        cli.main(["build", "--lang", "fr"])
    assert "invalid choice" in capsys.readouterr().err


def test_chinese_lines_are_joined_without_a_space():
    """Does a source line break between two Chinese characters disappear (Markdown would show a space)?"""
    text = "运行它下面的\n单元格：\n- 列表项\n`x` 的形状\n\n段落\n```python\n代码\n代码\n```"
    assert notebook.unwrap_cjk(text) == "运行它下面的单元格：\n- 列表项\n`x` 的形状\n\n段落\n```python\n代码\n代码\n```"
    assert notebook.unwrap_cjk("an English\nline") == "an English\nline"


def test_built_chinese_prose_has_no_line_break_between_chinese_characters(books):
    for cell in books["zh", "student"].cells:
        if cell.cell_type == "markdown":
            outside_code = re.sub(r"```.*?```", "", cell.source, flags=re.S)
            assert not re.search(CJK.pattern + r"\n" + CJK.pattern, outside_code), cell.source[:60]


@pytest.mark.slow
def test_an_answer_key_that_raises_fails_the_build_with_the_cell(tmp_path):
    """Does a solution notebook that raises stop the build with a message naming the error?"""
    broken = tmp_path / "nb.md"
    broken.write_text(build.DEFAULT_SOURCE.read_text(encoding="utf-8")
                      + "\n<!-- code -->\n```python\nraise RuntimeError('boom in the answer key')\n```\n",
                      encoding="utf-8")
    with pytest.raises(build.ExecutionFailed, match="en solution notebook failed: RuntimeError: boom"):
        build.build(tmp_path / "out", langs=("en",), source_path=broken)
    assert not (tmp_path / "out").exists()
