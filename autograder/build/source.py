"""Read the notebook source: one Markdown file, prose in every language, code once.

The source (``assignments/rnn_gradients/notebook/rnn_gradients.md``) is plain
Markdown that reads as text in a diff and renders on a code host. Blocks start
with a header line, an HTML comment alone on its line; everything up to the
next header is the block's body. Text before the first header is a note to
reviewers and is not built.

    <!-- md en -->             a Markdown cell for one language (en or zh)
    <!-- code -->              a code cell for every language; its body is one
                               fenced ```python block
    <!-- function NAME -->     a contract function's cell: the answer key's code
                               (solution) or its stub (student), built from solutions/
    <!-- provided NAME -->     a helper the student gets in full (solutions' code)
    <!-- answer ID en -->      a written answer (graded by hand): the student sees
                               an empty answer cell, the solution this model answer
    <!-- rubric ID en -->      the answer's rubric for graders (not a cell; never in a
                               student notebook): lines "- N pts: what earns them"
                               ("- N 分：..." in zh); the answer is worth their sum
    <!-- docstring NAME -->    the stub's docstring for NAME when the answer key's
                               would give the answer away (a fenced block; not a cell)
    <!-- check QID -->         the public checks of question QID (q0 .. q6): a code
                               cell ``check("QID", globals())`` in every language and
                               variant, run from the rnn_checks bundle beside the notebook

Every language must have the same cells in the same order, so a cell has the
same id in every language.
"""

import re
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("en", "zh")
KINDS = ("md", "code", "function", "provided", "answer", "docstring", "check", "rubric")
NOT_CELLS = ("docstring", "rubric")                   # read by the build, not cells
GENERATED = ("function", "provided", "check")          # built, not written: no body
_HEADER = re.compile(r"^<!-- (?P<kind>[a-z]+)(?: (?P<name>[A-Za-z_][\w-]*))?"
                     r"(?: (?P<lang>[a-z]{2}))? -->\s*$")
_FENCE = re.compile(r"^```[a-z]*\n(?P<body>.*?)\n```$", re.S)


class SourceError(ValueError):
    """The notebook source is malformed; the message says where."""


@dataclass(frozen=True)
class Block:
    """One block of the source: kind, name (function or answer id), language
    (None: every language), body text, and the line its header is on."""
    kind: str
    name: str | None
    lang: str | None
    body: str
    line: int


def _fenced(body, where):
    """The inside of a body that is exactly one fenced block."""
    match = _FENCE.match(body.strip())
    if not match:
        raise SourceError(f"{where}: the body must be one fenced ``` block")
    return match.group("body")


def _check_header(kind, name, lang, where):
    """Refuse a header whose parts do not fit its kind."""
    if kind not in KINDS:
        raise SourceError(f"{where}: unknown block kind {kind!r}; expected one of {KINDS}")
    needs_lang = kind in ("md", "answer", "rubric")
    needs_name = kind in ("function", "provided", "answer", "docstring", "check", "rubric")
    if needs_lang != (lang is not None) or lang not in (None,) + LANGUAGES:
        raise SourceError(f"{where}: a {kind} block {'needs' if needs_lang else 'takes no'} "
                          f"language (one of {LANGUAGES})")
    if needs_name != (name is not None):
        raise SourceError(f"{where}: a {kind} block {'needs' if needs_name else 'takes no'} name")


def parse(text, label="source"):
    """The blocks of a notebook source text, in order (SourceError if malformed)."""
    blocks, current, body = [], None, []

    def close():
        if current is not None:
            kind, name, lang, line = current
            where = f"{label}:{line}"
            content = "\n".join(body).strip("\n")
            if kind in ("code", "docstring"):
                content = _fenced(content, where)
            generated = kind in GENERATED
            if generated == bool(content.strip()):
                raise SourceError(f"{where}: a {kind} block " + ("is built, not written, and takes no body"
                                                                 if generated else "is empty"))
            blocks.append(Block(kind, name, lang, content, line))

    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match is None:
            body.append(line)
            continue
        close()
        kind, name, lang = match.group("kind", "name", "lang")
        if name in LANGUAGES and lang is None and kind in ("md", "answer", "rubric"):
            name, lang = None, name
        _check_header(kind, name, lang, f"{label}:{number}")
        current, body = (kind, name, lang, number), []
    close()
    return blocks


def read(path):
    """The blocks of a notebook source file."""
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), label=path.name)


def docstrings(blocks):
    """Stub docstrings given in the source: function name -> text."""
    out = {}
    for block in blocks:
        if block.kind == "docstring":
            if block.name in out:
                raise SourceError(f"line {block.line}: a second docstring for {block.name}")
            out[block.name] = block.body
    return out


def cells_for(blocks, lang):
    """The cell blocks one language sees, in order (docstrings are not cells)."""
    if lang not in LANGUAGES:
        raise SourceError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    return [b for b in blocks if b.kind not in NOT_CELLS and b.lang in (None, lang)]


def check_parallel(blocks):
    """Every language has the same cells in the same order (SourceError if not):
    a Markdown cell in one language and none in the other would shift ids."""
    shapes = {}
    for lang in LANGUAGES:
        shapes[lang] = [(b.kind, b.name) for b in cells_for(blocks, lang)]
    first, *others = LANGUAGES
    for lang in others:
        for index, (a, b) in enumerate(zip(shapes[first], shapes[lang])):
            if a != b:
                line = cells_for(blocks, lang)[index].line
                raise SourceError(f"cell {index + 1} is {a} in {first} but {b} in {lang} "
                                  f"(source line {line})")
        if len(shapes[first]) != len(shapes[lang]):
            raise SourceError(f"{first} has {len(shapes[first])} cells, {lang} {len(shapes[lang])}")


_RUBRIC_LINE = re.compile(r"^- (?P<points>\d+) (?:pts?|分)[:：] ?\S")


@dataclass(frozen=True)
class Rubric:
    """A written answer's rubric in one language: its Markdown text and points."""
    name: str
    lang: str
    text: str
    points: int


def _rubric(block):
    """The Rubric of one rubric block: each line starts "- N pts: " (or
    "- N 分："), continuation lines are indented; the points are their sum."""
    total, where = 0, f"line {block.line}"
    for line in block.body.splitlines():
        if not line.strip() or line.startswith("  "):
            continue
        match = _RUBRIC_LINE.match(line)
        if match is None:
            raise SourceError(f"{where}: rubric {block.name} ({block.lang}): a line must start "
                              f"'- N pts: ' (zh '- N 分：'), got {line[:40]!r}")
        total += int(match.group("points"))
    if total <= 0:
        raise SourceError(f"{where}: rubric {block.name} ({block.lang}) gives no points")
    return Rubric(block.name, block.lang, block.body, total)


def rubrics(blocks, lang):
    """{answer id: Rubric} of one language. SourceError unless every written
    answer has exactly one rubric in each language, worth the same points."""
    answers = {b.name for b in blocks if b.kind == "answer"}
    found = {}
    for block in blocks:
        if block.kind == "rubric":
            if block.name not in answers:
                raise SourceError(f"line {block.line}: rubric {block.name} has no answer block")
            if (block.name, block.lang) in found:
                raise SourceError(f"line {block.line}: a second {block.lang} rubric for {block.name}")
            found[block.name, block.lang] = _rubric(block)
    for name in sorted(answers):
        missing = [code for code in LANGUAGES if (name, code) not in found]
        if missing:
            raise SourceError(f"written answer {name} has no rubric in {', '.join(missing)}")
        points = {found[name, code].points for code in LANGUAGES}
        if len(points) != 1:
            raise SourceError(f"rubric {name} is worth {sorted(points)} points in different languages")
    if lang not in LANGUAGES:
        raise SourceError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    return {name: found[name, lang] for name in sorted(answers)}
