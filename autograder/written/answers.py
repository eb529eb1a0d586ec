"""The written questions of a notebook and the student's answers to them.

Works on the notebook's JSON (a dict), with the standard library only, so
this package can be shipped to students on its own (see __init__).

A written answer is a Markdown cell whose metadata says
``{"rnngrade": {"role": "answer", "name": "W1"}}`` (every release keeps it);
a cell that lost its metadata is still found by its label
("**Your answer (W1):**" / "**你的回答（W1）：**"). Its question is the plain
Markdown cell just before it.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

# The placeholder text of an unanswered cell (the student notebook's prompt
# and nbgrader's text stub say the same).
PLACEHOLDERS = (
    "write it here (a few sentences; graded by hand).",
    "写在这里（几句话即可；人工评分）。",
)
LABEL = re.compile(r"^\s*\*\*(?:Your answer \((?P<en>[A-Za-z]\w*)\):|你的回答（(?P<zh>[A-Za-z]\w*)）：)\*\*\s*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


class NotebookUnreadable(ValueError):
    """The file is not a notebook this exporter can read; the message says why."""


@dataclass(frozen=True)
class Written:
    """One written question: its id, question text (Markdown), the student's
    answer (Markdown, label removed) and whether it is still the placeholder."""
    name: str
    question: str
    answer: str
    unanswered: bool


def _text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _answer_name(cell):
    """The written answer id of a cell, or None."""
    if cell.get("cell_type") != "markdown":
        return None
    meta = (cell.get("metadata") or {}).get("rnngrade") or {}
    if meta.get("role") == "answer" and isinstance(meta.get("name"), str):
        return meta["name"]
    match = LABEL.match(_text(cell))
    return match and (match.group("en") or match.group("zh"))


def _is_plain_markdown(cell):
    meta = (cell.get("metadata") or {}).get("rnngrade") or {}
    return cell.get("cell_type") == "markdown" and not meta.get("role")


def strip_label(text):
    """The answer without its "**Your answer (W1):**" label."""
    return LABEL.sub("", text, count=1).strip()


def is_placeholder(answer):
    """Is an answer (label removed) empty or still the placeholder?"""
    return answer.strip() in ("",) + PLACEHOLDERS


def written_answers(nb):
    """The Written questions of a notebook dict, in notebook order; a question
    answered in several cells (a student split it) is joined."""
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise NotebookUnreadable("the file has no list of cells: is it a Jupyter notebook (.ipynb)?")
    found, order = {}, []
    for index, cell in enumerate(cells):
        name = _answer_name(cell) if isinstance(cell, dict) else None
        if name is None:
            continue
        before = cells[index - 1] if index > 0 else {}
        question = _text(before) if isinstance(before, dict) and _is_plain_markdown(before) else ""
        answer = strip_label(_text(cell))
        if name in found:
            old = found[name]
            answer = "\n\n".join(a for a in (old.answer, answer) if not is_placeholder(a))
            question = old.question
        else:
            order.append(name)
        found[name] = Written(name, question, answer, is_placeholder(answer))
    return [found[name] for name in order]


def notebook_language(nb):
    """"zh" or "en": the notebook's metadata, else whether its prose is mostly Chinese."""
    lang = ((nb.get("metadata") or {}).get("rnngrade") or {}).get("lang")
    if lang in ("en", "zh"):
        return lang
    prose = "".join(_text(c) for c in nb.get("cells", []) if isinstance(c, dict)
                    and c.get("cell_type") == "markdown")
    return "zh" if len(_CJK.findall(prose)) > len(re.findall(r"[A-Za-z]", prose)) else "en"


def read_notebook(path):
    """A notebook file as a dict (NotebookUnreadable with the reason)."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotebookUnreadable(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotebookUnreadable(f"{path}: not a Jupyter notebook ({error})") from None
    if not isinstance(nb, dict):
        raise NotebookUnreadable(f"{path}: not a Jupyter notebook (no JSON object)")
    return nb
