"""The written-answers export in a student release (otter's): a package and two cells.

Otter's own PDF export needs LaTeX; the otter release sets ``export_cell:
pdf: false`` and ships this package as ``rnn_written`` beside the student
notebook (otter's ``files``), with a cell before otter's submission cell:

    from rnn_written import export_pdf
    export_pdf("rnn_gradients.ipynb", "written_answers.pdf")

which writes written_answers.pdf (and .html) for Gradescope's manually
graded questions. The sandbox skips this cell when grading
(autograder/sandbox/scaffold.py).
"""

import shutil
from pathlib import Path

import nbformat

PACKAGE = "rnn_written"
SHIPPED = ("__init__.py", "answers.py", "render.py", "pdf.py")     # stdlib and Markdown libraries only
HERE = Path(__file__).resolve().parent
EXPORT_CODE = ('from {package} import export_pdf\n'
               'export_pdf("{notebook}", "written_answers.pdf")')
INSTRUCTIONS = {
    "en": "## Written answers as a PDF\n\nSave the notebook, then run the cell below: it writes "
          "`written_answers.pdf` (and `written_answers.html`) next to this notebook, with your written "
          "answers and their formulas. Upload the PDF to the written questions on Gradescope. If it "
          "says no PDF was made, open the HTML file in a browser and print it to PDF. It also names "
          "the answers you have not written yet.",
    "zh": "## 把简答题导出为 PDF\n\n先保存笔记本，再运行下面的单元格：它会在本笔记本旁边生成 "
          "`written_answers.pdf`（以及 `written_answers.html`），包含你的简答题答案和公式。请把 PDF "
          "上传到 Gradescope 的简答题。如果提示没有生成 PDF，请用浏览器打开 HTML 文件并打印为 PDF。"
          "它也会列出你还没有作答的题目。",
}


def write_package(dest):
    """Copy the exporter into dest/rnn_written; returns that folder."""
    target = Path(dest) / PACKAGE
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        shutil.copy(HERE / name, target / name)
    return target


def export_cells(lang, notebook_name):
    """The Markdown instructions and the code cell that exports the written answers."""
    text = nbformat.v4.new_markdown_cell(INSTRUCTIONS[lang])
    text.id = "written-export-text"
    code = nbformat.v4.new_code_cell(EXPORT_CODE.format(package=PACKAGE, notebook=notebook_name))
    code.id = "written-export"
    return [text, code]
