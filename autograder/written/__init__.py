"""Written answers to PDF, without LaTeX: for Gradescope's manual questions.

    export_written("rnn_gradients.ipynb", "written_answers.pdf")
    rnngrade written rnn_gradients.ipynb --out written_answers.pdf

reads a notebook, finds its written questions (answers.py), writes an HTML
page of the questions and the student's answers (render.py: Markdown with
markdown-it-py, formulas as MathML by latex2mathml, no network) ALWAYS
beside the PDF (same name, .html), then prints it to PDF with Debian's
Chromium (pdf.py). Nothing is dropped silently: an unanswered question is
marked in the PDF and named in the result's message, and when no PDF can be
made the message says why and where the HTML is.

Otter's own PDF export needs LaTeX (nbconvert's xelatex); the otter release
turns it off (``export_cell: pdf: false``) and the student notebook gets a
cell that calls export_written instead. This package uses the standard
library, markdown-it-py, mdit-py-plugins and latex2mathml only, and imports
nothing else of ``autograder``, so it is shipped to students as a folder of
its own.
"""

from dataclasses import dataclass, field
from pathlib import Path

from .answers import NotebookUnreadable, read_notebook, written_answers
from .pdf import PdfFailed, print_to_pdf
from .render import page

__all__ = ["export_written", "ExportResult", "NotebookUnreadable"]

MESSAGES = {
    "pdf": "Wrote {pdf} ({n} written answers): upload it to the written questions on Gradescope.",
    "no_pdf": "NO PDF was made: {reason}. Your answers are safe in {html}: open it in a browser and "
              "print it to PDF, or ask your instructor.",
    "unanswered": "Still the placeholder (not answered yet): {names}.",
    "none": "This notebook has no written answer cells: nothing to export.",
}


@dataclass
class ExportResult:
    """What export_written did: the HTML (always written), the PDF or None,
    the questions still unanswered, and a message for the student."""
    html: Path
    pdf: Path | None
    unanswered: list = field(default_factory=list)
    count: int = 0
    error: str | None = None

    @property
    def ok(self):
        """A PDF was written."""
        return self.pdf is not None

    def message(self):
        """What to tell the student, one line per fact."""
        if self.pdf is not None:
            facts = [MESSAGES["pdf"].format(pdf=self.pdf, n=self.count)]
        else:
            facts = [MESSAGES["no_pdf"].format(reason=self.error, html=self.html)]
        if self.count == 0:
            facts.append(MESSAGES["none"])
        if self.unanswered:
            facts.append(MESSAGES["unanswered"].format(names=", ".join(self.unanswered)))
        return "\n".join(facts)


def export_written(notebook, out=None, timeout=None):
    """Write OUT.html and OUT (a PDF, default written_answers.pdf beside the
    notebook) of a notebook's written answers; returns an ExportResult
    (NotebookUnreadable if the file is not a notebook)."""
    notebook = Path(notebook)
    nb = read_notebook(notebook)
    written = written_answers(nb)
    pdf = Path(out) if out is not None else notebook.with_name("written_answers.pdf")
    html_path = pdf.with_suffix(".html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(page(nb, written, notebook.name), encoding="utf-8")
    result = ExportResult(html_path, None, [w.name for w in written if w.unanswered], count=len(written))
    if not written:
        result.error = "the notebook has no written answers"
        return result
    try:
        result.pdf = print_to_pdf(html_path, pdf, **({"timeout": timeout} if timeout else {}))
    except PdfFailed as failure:
        result.error = str(failure)
    return result


def export_pdf(notebook="rnn_gradients.ipynb", out="written_answers.pdf"):
    """The student notebook's export cell: export and print what happened."""
    result = export_written(notebook, out)
    print(result.message())
    return result
