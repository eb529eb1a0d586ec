"""Does `rnngrade similarity` flag copies and only copies?

The corpus: the 58 correct variants of tests/files/correct (written
independently of each other, though short numpy functions converge on
similar code) must not be flagged; disguised copies of them (every bound
name renamed, functions reordered, comments changed, the code re-spaced by
tokenize.untokenize, which also glues ``a @b``) and the hand-disguised
tests/files/similarity/planted_copy_of_gru_separate_matmuls.py must be.
The numbers behind DEFAULT_THRESHOLD are printed by
test_threshold_separates_the_corpus (run with -s).

Nothing here runs a submission: similarity only reads text.
"""

import ast
import builtins
import io
import json
import keyword
import os
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import build, cli
from autograder.similarity import DEFAULT_THRESHOLD, analyse, compare
from autograder.similarity.code import joined, space_matmul, starter_code
from autograder.submissions import stub_source, to_notebook

FILES = Path(__file__).parent / "files"
CORRECT = sorted((FILES / "correct").glob("*.py"))
PLANTED = FILES / "similarity" / "planted_copy_of_gru_separate_matmuls.py"
PLANTED_OF = "gru_separate_matmuls"
KEEP_NAMES = {"self", "cls"}        # see README: renaming self is not seen through


def run_cli(*args, env=None):
    """`rnngrade similarity` in a subprocess, as an instructor runs it."""
    return subprocess.run([sys.executable, "-m", "autograder.cli", "similarity", *map(str, args)],
                          capture_output=True, text=True, timeout=600, env=env)


def main(capsys, *args):
    """`rnngrade similarity` in this process (it only reads the files): (status, stderr)."""
    status = cli.main(["similarity", *map(str, args)])
    return status, capsys.readouterr().err


# ---------------------------------------------------------------------------
# Building students from the corpus (text only)

def _reordered(source):
    """The module with its top-level functions and classes in reverse order, after the rest."""
    tree = ast.parse(source)
    lines = source.splitlines(True)
    rest, defs = [], []
    for node in tree.body:
        first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        text = "".join(lines[first - 1:node.end_lineno])
        (defs if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else rest).append(text)
    return "\n\n".join(rest + defs[::-1]) + "\n"


def _bound_names(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {n for n in names if not keyword.iskeyword(n) and not hasattr(builtins, n)} - KEEP_NAMES


def disguise(source):
    """A copy a student would hand in: functions reordered, every bound name
    renamed, every comment rewritten, the code re-spaced."""
    source = _reordered(source)
    renames = {n: f"my_{n[::-1]}_v" for n in sorted(_bound_names(source))}
    out, previous = [], None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, text = tok.type, tok.string
        if kind == tokenize.NAME and text in renames and previous != ".":
            text = renames[text]
        elif kind == tokenize.COMMENT:
            text = "# note: " + text.lstrip("# ")[::-1]
        out.append((kind, text))
        if kind not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            previous = text
    copy = tokenize.untokenize(out)
    compile(copy, "<disguised>", "exec")            # still Python (compiled only, never run)
    return copy


def in_place(override):
    """The stub module with the override's functions put where the stubs were
    (a student's finished notebook); its other statements go after the imports."""
    stub = stub_source()
    lines = stub.splitlines(True)
    over = ast.parse(override)
    olines = override.splitlines(True)
    mine = {n.name: "".join(olines[n.lineno - 1:n.end_lineno]) for n in over.body
            if isinstance(n, ast.FunctionDef)}
    extra = ["".join(olines[n.lineno - 1:n.end_lineno]) for n in over.body
             if not isinstance(n, ast.FunctionDef) and not isinstance(getattr(n, "value", None), ast.Constant)]
    for node in reversed(ast.parse(stub).body):
        if isinstance(node, ast.FunctionDef) and node.name in mine:
            lines[node.lineno - 1:node.end_lineno] = [mine.pop(node.name)]
    head, _, tail = "".join(lines).partition("import numpy as np\n")
    return head + "import numpy as np\n" + "\n".join(extra) + "\n" + "\n\n".join(mine.values()) + tail


def notebook_code(source):
    """A module as a student notebook's code, as the report reads it."""
    nb = to_notebook(source)
    return joined([c.source for c in nb.cells if c.cell_type == "code"])


def code_of(path):
    return joined([path.read_text(encoding="utf-8")])


@pytest.fixture(scope="module")
def corpus():
    """{variant: its code as written} for the 58 correct variants."""
    return {p.stem: code_of(p) for p in CORRECT}


# ---------------------------------------------------------------------------
# The threshold

def _own(code):
    """Filtered characters of a text's own code (starter code removed)."""
    return compare.fingerprints({"x": code}, compare.boilerplate_hashes(starter_code()))["x"].token_coverage


@pytest.mark.parametrize("form", ["as written", "in the notebook"])
def test_threshold_separates_the_corpus(corpus, form):
    """All 1,653 pairs of independent correct variants score under the
    threshold, as written and put in the stub notebook in place of the stubs;
    a disguised copy of every variant with at least MIN_OWN characters of own
    code scores at or above it (a few-line variant, a textbook sigmoid, is
    too small to tell a copy from a coincidence)."""
    if form == "in the notebook":
        sources = {p.stem: in_place(p.read_text(encoding="utf-8")) for p in CORRECT}
        corpus = {name: notebook_code(text) for name, text in sources.items()}
    else:
        sources = {p.stem: p.read_text(encoding="utf-8") for p in CORRECT}
    document, _ = analyse(corpus)
    assert len(corpus) == 58
    independent = [row["score"] for row in document["pairs"]]
    assert not [row for row in document["pairs"] if row["flagged"]]
    copies, small = {}, []
    for name, code in corpus.items():
        if _own(code) < compare.MIN_OWN:
            small.append(name)
            continue
        doc, _ = analyse({name: code, "copy": space_matmul(disguise(sources[name]))})
        copies[name] = doc["pairs"][0]["score"] if doc["pairs"] else 0.0
    weakest = min(copies, key=copies.get)
    print(f"\n{form}: independent pairs 1653, above 0: {len(independent)}, max {max(independent):.3f}, "
          f"99th percentile {np.quantile(independent + [0] * (1653 - len(independent)), 0.99):.3f}; "
          f"copies of {len(copies)} variants: min {copies[weakest]:.3f} ({weakest}), "
          f"median {np.median(list(copies.values())):.3f}; {len(small)} variants under MIN_OWN")
    assert max(independent) < DEFAULT_THRESHOLD <= copies[weakest]
    assert len(copies) >= 25


def test_hand_disguised_copy_is_flagged_and_its_original_only(corpus):
    """The hand-written planted copy matches gru_separate_matmuls, no other variant."""
    document, _ = analyse({**corpus, "planted": code_of(PLANTED)})
    flagged = [(r["a"], r["b"]) for r in document["pairs"] if r["flagged"]]
    assert flagged == [(PLANTED_OF, "planted")]


def test_pair_lookup_gives_copydetects_results(corpus):
    """compare.compare finds shared fingerprints with array lookups instead of
    copydetect's per-hash loop: same shares and same regions as compare_files."""
    from copydetect import compare_files

    names = sorted(corpus)[::3] + [PLANTED_OF]
    codes = {name: corpus[name] for name in names}
    codes["planted"] = code_of(PLANTED)
    prints = compare.fingerprints(codes, compare.boilerplate_hashes(starter_code()))
    found = {(p.a, p.b): p for p in compare.compare(prints)}
    assert len(found) > 20
    ids = sorted(prints)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            _, shares, slices = compare_files(prints[a], prints[b])
            if (a, b) not in found:
                assert shares == (0, 0)
                continue
            pair = found[(a, b)]
            assert (pair.share_a, pair.share_b) == pytest.approx(shares, abs=1e-12)
            assert np.array_equal(pair.slices_a, slices[0]) and np.array_equal(pair.slices_b, slices[1])


def test_glued_matmul_is_spaced_but_decorators_are_not():
    assert space_matmul("@cache\ndef f(a, b):\n    return a@b.T @c\n") == \
        "@cache\ndef f(a, b):\n    return a@ b.T @ c\n"


# ---------------------------------------------------------------------------
# Starter code

def test_starter_code_alone_scores_zero():
    """Stub notebooks (built in each language, and generated from the stub
    module) and the stub .py share nothing once the starter code is removed."""
    cells = {lang: [c.source for c in build.build_notebooks(lang)["student"].cells if c.cell_type == "code"]
             for lang in build.LANGUAGES}
    codes = {f"built-{lang}": joined(c) for lang, c in cells.items()}
    codes["generated"] = notebook_code(stub_source())
    codes["stub.py"] = joined([stub_source()])
    document, _ = analyse(codes)
    assert document["pairs"] == []


def test_starter_code_is_what_is_subtracted():
    """Without the subtraction two stub notebooks would be identical: the
    starter code really is the student notebook's code."""
    text = notebook_code(stub_source())
    assert len(starter_code()) >= 2
    assert any("raise NotImplementedError()" in piece for piece in starter_code())
    document, _ = analyse({"x": text + "\nprint('mine')\n" * 3, "y": text})
    assert all(r["score"] < 0.5 for r in document["pairs"])


# ---------------------------------------------------------------------------
# End to end: a class of notebooks

@pytest.fixture(scope="module")
def class_run(tmp_path_factory, corpus):
    """Every correct variant as a finished student notebook, two stub
    notebooks, the planted copy and three disguised copies as .py files."""
    folder = tmp_path_factory.mktemp("class")
    for p in CORRECT:
        nbformat.write(to_notebook(in_place(p.read_text(encoding="utf-8"))), folder / f"{p.stem}.ipynb")
    for name in ("stub_one", "stub_two"):
        nbformat.write(to_notebook(stub_source()), folder / f"{name}.ipynb")
    shutil.copy(PLANTED, folder / "zz_planted.py")
    copied = ("loops_over_time_and_batch", "lstm_cache_class", "rnn_cs231n_style")
    for name in copied:
        full = in_place((FILES / "correct" / f"{name}.py").read_text(encoding="utf-8"))
        (folder / f"zz_copy_of_{name}.py").write_text(disguise(full), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    result = run_cli(folder, "--out", out)
    assert result.returncode == 0, result.stderr
    document = json.loads((out / "similarity.json").read_text(encoding="ascii"))
    return document, out, copied


def test_class_flags_exactly_the_planted_copies(class_run):
    document, _, copied = class_run
    flagged = {(r["a"], r["b"]) for r in document["pairs"] if r["flagged"]}
    expected = {(PLANTED_OF, "zz_planted")} | {(n, f"zz_copy_of_{n}") for n in copied}
    assert flagged == expected
    assert document["skipped"] == []
    assert not any({"stub_one", "stub_two"} == {r["a"], r["b"]} for r in document["pairs"])


def test_json_schema_is_exact(class_run):
    document, _, _ = class_run
    assert list(document) == ["threshold", "pairs", "skipped"]
    assert document["threshold"] == DEFAULT_THRESHOLD
    scores = [r["score"] for r in document["pairs"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    for row in document["pairs"]:
        assert list(row) == ["a", "b", "score", "flagged"]
        assert isinstance(row["a"], str) and isinstance(row["b"], str) and row["a"] < row["b"]
        assert isinstance(row["score"], float) and row["flagged"] is (row["score"] >= DEFAULT_THRESHOLD)
    assert len({(r["a"], r["b"]) for r in document["pairs"]}) == len(document["pairs"])


def test_html_shows_flagged_pairs_side_by_side(class_run):
    _, out, _ = class_run
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "<script" not in page.lower()
    assert page.count('<div class="pair">') == 4
    assert "<mark>" in page and "zz_planted" in page


@pytest.mark.slow
def test_custom_threshold_and_same_json_whatever_the_hash_seed(tmp_path):
    """--threshold is used as given; Python's per-process hash salt changes nothing."""
    for p in CORRECT[:12] + [PLANTED]:
        shutil.copy(p, tmp_path / p.name)
    texts = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        result = run_cli(tmp_path, "--out", out, "--threshold", "0.3",
                         env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        texts.append((out / "similarity.json").read_text(encoding="ascii"))
    assert texts[0] == texts[1]
    document = json.loads(texts[0])
    assert document["threshold"] == 0.3
    assert any(r["flagged"] and r["score"] < DEFAULT_THRESHOLD for r in document["pairs"])


# ---------------------------------------------------------------------------
# Hostile-looking text and odd files (read, never run)

HOSTILE_CODE = PLANTED.read_text(encoding="utf-8") + ('\n\ndef rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):\n'
                '    label = "</pre><script>alert(1)</script><img src=x onerror=alert(2)>"\n'
                '    h_next = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)  # \u202e reversed\n'
                '    return h_next, (x, h_prev, W_xh, W_hh, h_next, label)\n')


def test_html_escapes_hostile_names_and_code(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "<img src=x onerror=alert(1)>.py").write_text(HOSTILE_CODE, encoding="utf-8")
    (folder / "<b>bold\u202e.py").write_text(HOSTILE_CODE, encoding="utf-8")
    status, err = main(capsys, folder, "--out", tmp_path / "out")
    assert status == 0, err
    document = json.loads((tmp_path / "out" / "similarity.json").read_text(encoding="ascii"))
    assert [r["flagged"] for r in document["pairs"]] == [True]
    page = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\u202e" not in page and "\\u202e" in page


def test_unreadable_and_odd_files_are_skipped(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "good_one.py").write_text(HOSTILE_CODE, encoding="utf-8")
    (folder / "good_two.py").write_text(HOSTILE_CODE, encoding="utf-8")
    (folder / "not_json.ipynb").write_text("{ this is not json", encoding="utf-8")
    (folder / "empty.py").write_bytes(b"")
    (folder / "binary.py").write_bytes(b"\x00\x01\x02def f(): pass\n")
    (folder / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (folder / "link.py").symlink_to(folder / "good_one.py")
    os.mkfifo(folder / "fifo.py")
    status, err = main(capsys, folder, "--out", tmp_path / "out")
    assert status == 0, err
    document = json.loads((tmp_path / "out" / "similarity.json").read_text(encoding="ascii"))
    skipped = {s["student"]: s["reason"] for s in document["skipped"]}
    assert set(skipped) == {"not_json", "empty", "binary", "latin1", "link", "fifo"}
    assert "not valid JSON" in skipped["not_json"] and "symbolic link" in skipped["link"]
    assert "UTF-8" in skipped["latin1"] and "empty" in skipped["empty"]
    assert [(r["a"], r["b"]) for r in document["pairs"]] == [("good_one", "good_two")]
    page = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "Not compared" in page and "not_json" in page


def test_unbuildable_notebook_source_is_a_usage_error(monkeypatch):
    """Without its starter code the report would flag every pair of stubs: it stops instead."""
    import autograder.similarity as similarity
    from autograder.build import SourceError

    def broken():
        raise SourceError("question q0 has no check cell")
    monkeypatch.setattr(similarity, "starter_code", broken)
    with pytest.raises(similarity.UsageError, match="starter code cannot be removed"):
        similarity.analyse({"a": "x = 1\n", "b": "y = 2\n"})


def test_text_the_tokenizer_fails_on_is_skipped(monkeypatch):
    """pygments raising on one student's text skips that student, with the reason."""
    from autograder.similarity import compare as module

    real = module._fingerprint

    def fussy(code, *args, **kwargs):
        if "TRIP" in code:
            raise RecursionError("deep")
        return real(code, *args, **kwargs)
    monkeypatch.setattr(module, "_fingerprint", fussy)
    planted = code_of(PLANTED)
    document, _ = analyse({"a": planted, "b": planted, "c": "TRIP"})
    assert document["skipped"] == [{"student": "c", "reason": "its code could not be tokenized (RecursionError)"}]
    assert [(r["a"], r["b"], r["flagged"]) for r in document["pairs"]] == [("a", "b", True)]


@pytest.mark.parametrize("args, message", [
    (("--threshold", "0"), "--threshold"),
    (("--threshold", "1.5"), "--threshold"),
])
def test_usage_errors_exit_2(tmp_path, capsys, args, message):
    shutil.copy(PLANTED, tmp_path / "a.py")
    status, err = main(capsys, tmp_path, "--out", tmp_path / "out", *args)
    assert status == 2 and message in err
    assert not (tmp_path / "out").exists()


def test_missing_path_exits_2(tmp_path, capsys):
    status, err = main(capsys, tmp_path / "nowhere", "--out", tmp_path / "out")
    assert status == 2 and "no such file" in err
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# As a person sees it

CHROMIUM = shutil.which("chromium")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not on PATH (apt-get install chromium)")
def test_html_renders_in_chromium(class_run, tmp_path):
    """A headless chromium screenshot of the report shows highlighted code
    (the <mark> colour) on a page that is not blank."""
    from PIL import Image

    _, out, _ = class_run
    shot = tmp_path / "sim.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    f"--screenshot={shot}", "--window-size=1200,1600", (out / "similarity.html").as_uri()],
                   capture_output=True, timeout=300, check=False)
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    mark = np.all(np.abs(pixels.astype(int) - (0xFF, 0xD2, 0x7A)) <= 4, axis=1)
    assert mark.mean() > 0.01, "no highlighted region visible"
    assert (pixels.sum(axis=1) < 200).mean() > 0.001, "no text visible"
