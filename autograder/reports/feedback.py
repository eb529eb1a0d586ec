"""What every feedback format shows, and the Markdown feedback.

``items(result, question)`` gives each function's head line with its
findings nested under it (from the result's private "functions" list; an
older result without it gives its flat feedback lines). Reasons and notes
may quote the submission's own messages and output: every format labels
them so (``REASON_LABEL``, ``NOTES_LABEL``) and caps them.

Markdown: text from a submission can never make a heading, a link, an
image or raw HTML. Multi-line text (reasons, notes) goes in a fenced code
block whose fence is longer than any backtick run inside it; a feedback
line keeps our `code` spans, has every other Markdown/HTML special
backslash-escaped, and cannot start a heading, a list or a quote.
"""

import re

from ..late import late_lines, score_line
from ..textsafe import one_line, printable

ID_LIMIT = 200             # characters of a student id shown in a feedback file
LINE_LIMIT = 1000          # characters of one feedback line
BLOCK_LIMIT = 4000         # characters of a reason or a note
REASON_LABEL = ("This submission could not be graded. The reason "
                "(it may quote the submission's own messages):")
NOTES_LABEL = ("Remarks about this submission "
               "(they may quote the submission's own output and messages):")


def items(result, question):
    """[(head line, [findings])] of one question's functions, in order."""
    functions = [f for f in result.get("functions", ()) if f["question"] == question["id"]]
    if functions:
        return [(f["head"], list(f["findings"])) for f in functions]
    return [(line, []) for line in question["feedback"]]


def notes(result):
    """The result's notes, capped, newlines kept, other controls visible."""
    return [printable(n, BLOCK_LIMIT) for n in result.get("notes", ())]


def reason(result):
    """The reason a result was not graded, capped, newlines kept ("" when graded)."""
    if result["status"] == "graded":
        return ""
    return printable(result.get("reason") or "(no reason was recorded)", BLOCK_LIMIT)


# -- Markdown ----------------------------------------------------------------

_CODE_SPAN = re.compile(r"`[^`]+`")
# Markdown/HTML specials; "_" only where it could start or end emphasis
# (between two letters or digits, as in W_hh, it never does).
_SPECIAL = re.compile(r"([\\`*\[\]<>&|~!#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_BLOCK_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def md_inline(text, limit=LINE_LIMIT):
    """One line of Markdown showing ``text`` literally, except that
    backtick-quoted parts stay code spans (which show their text literally)."""
    text = one_line(text, limit).strip()
    out, last = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [_SPECIAL.sub(r"\\\1", text[last:m.start()]), m.group()]
        last = m.end()
    out.append(_SPECIAL.sub(r"\\\1", text[last:]))
    line = "".join(out)
    return _BLOCK_START.sub(lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), line)


def md_fenced(text):
    """A fenced code block showing ``text`` (several lines) literally."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def feedback_markdown(result):
    """feedback/<file>.md: the score, why it was not graded, notes, then
    each question with its functions and their findings nested."""
    lines = [f"# Feedback for {md_inline(result['student'], ID_LIMIT)}", "",
             f"**{score_line(result)}**", ""]
    if late_lines(result):
        lines += ["Late work:", ""] + [f"- {md_inline(line)}" for line in late_lines(result)] + [""]
    if reason(result):
        lines += [REASON_LABEL, "", md_fenced(reason(result)), ""]
    if notes(result):
        lines += [NOTES_LABEL, ""]
        for note in notes(result):
            lines += [md_fenced(note), ""]
    for q in result["questions"]:
        lines += [f"## {q['id']}: {q['score']:g} / {q['max_score']:g}", ""]
        for head, findings in items(result, q):
            lines.append(f"- {md_inline(head)}")
            lines += [f"  - {md_inline(f)}" for f in findings]
        lines.append("")
    return "\n".join(lines)
