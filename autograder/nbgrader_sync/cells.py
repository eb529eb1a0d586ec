"""The sandbox's scores and feedback in nbgrader's test cells.

``SandboxScores`` is an nbgrader preprocessor that takes the place of
nbgrader's ``Execute`` in ``nbgrader autograde``: it never runs a cell. For
every autograded test cell of the notebook (a grade cell that is not a
solution cell) it replaces the outputs by

- a stdout stream with our feedback for that question (what the student
  sees through ``nbgrader generate_feedback``), and
- an ``execute_result`` whose text is the question's score from the
  sandbox, which nbgrader's own ``SaveAutoGrades`` (next in the list) turns
  into the cell's ``auto_score`` as partial credit.

A test cell is matched to a question by its nbgrader grade id
``test_<qid>`` (the gradebook's id, restored by nbgrader's sanitising step,
not the student's metadata). A test cell with no sandbox score (another
grade id, a student the sandbox did not grade) gets zero and says why: no
test cell can keep nbgrader's "no error, full marks" for a cell nobody ran.
"""

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict

from ..reports.feedback import BLOCK_LIMIT, LINE_LIMIT, NOTES_LABEL, REASON_LABEL, items, notes, reason
from ..textsafe import one_line

HEADER = "rnngrade (graded in a sandbox, not in this notebook's kernel): {qid} {score:g} / {most:g}"
NOT_GRADED = ("rnngrade gave this cell no score: {why}. It scores 0 until the instructor "
              "regrades it.")
TEST_PREFIX = "test_"


def is_test_cell(cell):
    """An autograded test cell: a grade cell that is not a solution cell."""
    return utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"


def question_text(result, question, first=False):
    """Our feedback for one question as plain text: the score line, each
    function's line with its findings under it, and (first: in the first
    test cell only) the reason it was not graded and the remarks."""
    lines = [HEADER.format(qid=question["id"], score=question["score"], most=question["max_score"])]
    if first and reason(result):
        lines += ["", REASON_LABEL, reason(result)]
    if first and notes(result):
        lines += ["", NOTES_LABEL] + notes(result)
    lines.append("")
    for head, findings in items(result, question):
        lines.append(one_line(head, LINE_LIMIT))
        lines += ["  - " + one_line(f, LINE_LIMIT) for f in findings]
    return "\n".join(lines).rstrip("\n")[:4 * BLOCK_LIMIT] + "\n"


def cell_entries(result):
    """{grade id: (score, max_score, text)} of one sandbox result."""
    out = {}
    for n, question in enumerate(result["questions"]):
        out[TEST_PREFIX + question["id"]] = (float(question["score"]), float(question["max_score"]),
                                             question_text(result, question, first=n == 0))
    return out


def set_outputs(cell, score, text):
    """The cell's outputs: our text on stdout, then the score as its result."""
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text),
                    nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(score))},
                                           execution_count=None)]
    cell.execution_count = None


class SandboxScores(NbGraderPreprocessor):
    """nbgrader preprocessor: test cells' outputs from the sandbox's results.

    ``entries`` maps "<student>/<notebook>" to {grade id: [score,
    max_score, text]} (cell_entries of that notebook's result)."""

    entries = Dict({}, help="sandbox scores and feedback per student notebook").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self._cells = self.entries.get(f"{info['student']}/{info['notebook']}")
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell):
            return cell, resources
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if self._cells is None:
            set_outputs(cell, 0.0, NOT_GRADED.format(why="the sandbox did not grade this notebook") + "\n")
        elif grade_id not in self._cells:
            set_outputs(cell, 0.0, NOT_GRADED.format(why=f"no question of rnngrade is called {grade_id}") + "\n")
        else:
            score, most, text = self._cells[grade_id]
            points = float(cell.metadata["nbgrader"].get("points", most))
            set_outputs(cell, min(score, points), text)
        return cell, resources
