"""What an instructor and a student read: the grade table, grades.csv,
feedback in Markdown and HTML, and Gradescope's results.json.

Every writer takes the result dicts of grading.Grade.to_dict(); none of
them runs checks. Ids, reasons, notes and feedback lines may hold text
from the submission: each format shows it safely (see the modules:
``tables`` for the terminal and CSV, ``feedback`` for Markdown, ``html``,
``gradescope``) and ``names`` gives each student files of their own.
"""

from pathlib import Path

from ..batch import write_document
from ..grading import public
from .class_report import write_class_report
from .feedback import feedback_markdown
from .gradescope import gradescope_results
from .html import feedback_html, norms_svg
from .names import file_names, safe_name
from .tables import csv_cell, grades_csv, index_csv, json_text, read_csv_cell, table

__all__ = ["csv_cell", "feedback_html", "feedback_markdown", "file_names", "gradescope_results",
           "grades_csv", "index_csv", "json_text", "norms_svg", "read_csv_cell", "safe_name",
           "table", "write_outputs"]


def write_outputs(out_dir, results):
    """grades.csv, grades.json, feedback/<file>.md and .html,
    gradescope/<file>/results.json, and feedback/index.csv (student -> file)."""
    out = Path(out_dir)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "gradescope").mkdir(parents=True, exist_ok=True)
    names = file_names(r["student"] for r in results)
    (out / "grades.csv").write_text(grades_csv(results), encoding="utf-8")
    with open(out / "grades.json", "w", encoding="utf-8") as f:    # one row at a time: flat memory
        write_document(f, (public(r) for r in results), json_text)
    (out / "feedback" / "index.csv").write_text(index_csv(names), encoding="utf-8")
    for r in results:
        name = names[r["student"]]
        (out / "feedback" / f"{name}.md").write_text(feedback_markdown(r), encoding="utf-8")
        (out / "feedback" / f"{name}.html").write_text(feedback_html(r), encoding="utf-8")
        (out / "gradescope" / name).mkdir(exist_ok=True)
        (out / "gradescope" / name / "results.json").write_text(json_text(gradescope_results(r)),
                                                                  encoding="utf-8")
    write_class_report(out, results)                   # class_report.json and .html: one pass
