"""Gradescope's results.json: one test per question, plain text output.

The output format is set to "text", so nothing in it is rendered as HTML
or Markdown. Each function's head line comes first and its findings are
indented under it; every line is one line (``textsafe.one_line``), so a
message from the submission can never look like a head line or a score.
"""

from ..late import late_lines, score_line
from ..textsafe import one_line
from .feedback import LINE_LIMIT, NOTES_LABEL, REASON_LABEL, items, notes, reason


def _indented(text):
    """Several lines of quoted text, each indented by four spaces."""
    return ["    " + one_line(line, LINE_LIMIT) for line in text.split("\n")]


def _summary(result):
    lines = []
    if reason(result):
        lines += [REASON_LABEL] + _indented(reason(result))
    else:
        lines.append("Graded by rnngrade.")
    if late_lines(result):
        lines += [score_line(result) + "."] + ["    " + one_line(x, LINE_LIMIT) for x in late_lines(result)]
    if notes(result):
        lines.append(NOTES_LABEL)
        for note in notes(result):
            lines += _indented(note)
    return "\n".join(lines)


def question_output(result, q):
    """One question's text: each function's head line, its findings indented under it."""
    lines = []
    for head, findings in items(result, q):
        lines.append(one_line(head, LINE_LIMIT))
        lines += ["    - " + one_line(f, LINE_LIMIT) for f in findings]
    return "\n".join(lines)


def gradescope_results(result):
    """Gradescope's results.json for one submission (one test per question)."""
    return {
        "score": result["score"],
        "output": _summary(result),
        "output_format": "text",
        "tests": [{"name": q["id"], "score": q["score"], "max_score": q["max_score"],
                   "output": question_output(result, q), "output_format": "text", "visibility": "visible"}
                  for q in result["questions"]],
    }
