"""Notebooks from the source blocks: the student's (stubs) and the solution
(the answer key), one per language; execution; byte-stable writing.

Cell ids are fixed (``<kind>-<index>``, the same in every language), no
timestamps are written, and JSON is dumped with sorted keys, so building
twice gives the same bytes.
"""

import json
import re
from pathlib import Path

import nbformat

from autograder import spec
from . import code, source

KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ANSWER_PROMPT = {
    "en": "**Your answer ({name}):** write it here (a few sentences; graded by hand).",
    "zh": "**你的回答（{name}）：** 写在这里（几句话即可；人工评分）。",
}
RUBRIC_TITLE = {
    "en": "**Rubric ({name}, {points} points; for graders).**",
    "zh": "**评分标准（{name}，{points} 分；供评分者使用）。**",
}
EXECUTE_TIMEOUT = 600          # seconds per cell: the machine may be busy


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def unwrap_cjk(text):
    """Join source lines broken between two CJK characters.

    Markdown turns a line break inside a paragraph into a space, which is
    right between English words and wrong between Chinese characters
    ("下面的 单元格"). Fenced code is left alone.
    """
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif (not fenced and out and line.strip() and _CJK.match(line.strip()[0])
              and out[-1] and _CJK.match(out[-1][-1])):
            out[-1] += line.strip()
            continue
        out.append(line)
    return "\n".join(out)


def _cell(kind, text, index, block):
    """A notebook cell with a fixed id and the source block named in metadata."""
    if kind == "code":
        cell = nbformat.v4.new_code_cell(text)
    else:
        cell = nbformat.v4.new_markdown_cell(unwrap_cjk(text))
    cell.id = f"{block.kind}-{block.name or 'cell'}-{index:03d}".replace("_", "-")
    if block.kind in ("function", "answer"):
        cell.metadata["rnngrade"] = {"role": block.kind, "name": block.name}
        if block.kind == "function":
            cell.metadata["rnngrade"]["question"] = spec.question_of(block.name)
    if block.kind == "check":
        cell.metadata["rnngrade"] = {"role": "check", "question": block.name}
    return cell


def check_cell(qid):
    """The code of a public-check cell (the rnn_checks bundle sits beside the notebook)."""
    return f'from rnn_checks import check\ncheck("{qid}", globals())\n'


def rubric_markdown(rubric):
    """A rubric as Markdown: its title (name, points) and its lines."""
    title = RUBRIC_TITLE[rubric.lang].format(name=rubric.name, points=rubric.points)
    return unwrap_cjk(f"{title}\n\n{rubric.text.strip()}")


def _cell_text(block, variant, lang, docstrings, reference, rubrics=None):
    """(cell type, text) of one block in one variant ("student" or "solution")."""
    if block.kind == "md":
        return "markdown", block.body
    if block.kind == "code":
        return "code", block.body
    if block.kind == "answer":
        if variant == "solution":                  # the model answer, then its rubric
            return "markdown", block.body.rstrip() + "\n\n" + rubric_markdown(rubrics[block.name])
        return "markdown", ANSWER_PROMPT[lang].format(name=block.name)
    if block.kind == "provided":
        if block.name not in code.provided_helpers():
            raise source.SourceError(f"line {block.line}: {block.name} is not a provided helper")
        return "code", "# Provided: use it, do not change it.\n" + code.provided(block.name)
    if block.kind == "check":
        return "code", check_cell(block.name)
    if block.kind == "function":
        if variant == "solution":
            return "code", reference[block.name]
        return "code", code.stub(block.name, docstrings.get(block.name))
    raise source.SourceError(f"line {block.line}: cannot build a {block.kind} block")


def _check_coverage(blocks):
    """Every contract function and provided helper has exactly one cell."""
    wanted = list(spec.FUNCTIONS) + list(code.provided_helpers())
    seen = [b.name for b in blocks if b.kind in ("function", "provided") and b.lang is None]
    for name in wanted:
        if seen.count(name) != 1:
            raise source.SourceError(f"{name} has {seen.count(name)} cells in the source; it needs one")
    unknown = sorted(set(seen) - set(wanted))
    if unknown:
        raise source.SourceError(f"cells for names outside the contract: {unknown}")
    stray = sorted(set(source.docstrings(blocks)) - set(spec.FUNCTIONS))
    if stray:
        raise source.SourceError(f"docstrings for names outside the contract: {stray}")
    checks = [b.name for b in blocks if b.kind == "check"]
    for qid in spec.QUESTION_IDS:
        if checks.count(qid) != 1:
            raise source.SourceError(f"question {qid} has {checks.count(qid)} check cells in the source; it needs one")
    unknown = sorted(set(checks) - set(spec.QUESTION_IDS))
    if unknown:
        raise source.SourceError(f"check cells for unknown questions: {unknown}")


def build_notebook(blocks, lang, variant):
    """The notebook of one language and variant ("student" or "solution")."""
    if variant not in ("student", "solution"):
        raise ValueError(f"variant must be student or solution, got {variant!r}")
    source.check_parallel(blocks)
    _check_coverage(blocks)
    docstrings = source.docstrings(blocks)
    reference = code.reference_cells() if variant == "solution" else {}
    rubrics = source.rubrics(blocks, lang)
    cells = []
    for index, block in enumerate(source.cells_for(blocks, lang)):
        kind, text = _cell_text(block, variant, lang, docstrings, reference, rubrics)
        cells.append(_cell(kind, text.strip("\n"), index, block))
        if block.kind == "answer":                 # the points only: the rubric is not here
            cells[-1].metadata["rnngrade"]["points"] = rubrics[block.name].points
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNEL)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["rnngrade"] = {"lang": lang, "variant": variant}
    nbformat.validate(nb)
    return nb


def execute(nb, cwd):
    """Run every cell of a notebook in a fresh ipykernel (nbclient), in place.

    Timing is not recorded, so the outputs are the only change. A cell that
    raises stops the run with nbclient's CellExecutionError.
    """
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=EXECUTE_TIMEOUT, kernel_name=KERNEL["name"],
                            record_timing=False, coalesce_streams=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    nb.metadata["kernelspec"] = dict(KERNEL)          # nbclient copies the kernel's own
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def dumps(nb):
    """A notebook as stable text: validated, keys sorted, one-space indent, final newline."""
    nbformat.validate(nb)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write(nb, path):
    """Write a notebook's stable text to path (folders made); returns the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(nb), encoding="utf-8")
    return path
