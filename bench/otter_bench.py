"""The otter-grader baseline: a master notebook, ``otter assign``, ``otter run``.

    master = master_notebook(tests)                 # generated from the answer key
    zip_path = assign(master_path, dist_dir)        # runs `otter assign` once
    command = run_command(zip_path, out_dir, nb)    # `otter run -a ZIP -o OUT NB`

The master follows otter's raw-cell format: an ``# ASSIGNMENT CONFIG`` cell,
then per question a ``# BEGIN QUESTION`` block whose ``# BEGIN SOLUTION``
part holds the answer key's code cell for that part (from
autograder.submissions.to_notebook(reference_source())) and whose
``# BEGIN TESTS`` part holds the fixed tests of bench/fixed_tests.py (the
second and later tests of a question are hidden). The tests only assert, so
they need no saved outputs; ``otter assign`` still runs them against the
solution notebook (``run_tests``) and fails if the master does not get full
marks.
"""

import subprocess
import sys
from pathlib import Path

import nbformat

from autograder import spec, submissions

ASSIGNMENT_NAME = "rnn-gradients-bench"
MASTER_NAME = "rnn_gradients.ipynb"


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def master_notebook(tests):
    """The otter master notebook (nbformat v4) for the fixed tests."""
    reference = submissions.to_notebook(submissions.reference_source())
    code_cells = [c for c in reference.cells if c.cell_type == "code"]
    if len(code_cells) != len(submissions.PARTS):
        raise ValueError("to_notebook gave an unexpected number of code cells")
    per_question = {}
    for t in tests:
        per_question.setdefault(t.question, []).append(t)
    points = {q.id: float(sum(q.points.values())) for q in spec.QUESTIONS}

    cells = [_raw(f"# ASSIGNMENT CONFIG\nname: {ASSIGNMENT_NAME}\n"
                  "init_cell: false\ncheck_all_cell: false\nexport_cell: false\n"
                  "run_tests: true\ngenerate:\n  pdf: false\n"),
             nbformat.v4.new_markdown_cell(f"# {submissions.NOTEBOOK_TITLE}")]
    for part, code in zip(submissions.PARTS, code_cells):
        cells.append(nbformat.v4.new_markdown_cell(f"## Part {part.number}: {part.title}"))
        for position, qid in enumerate(part.questions):
            cells.append(_raw(f"# BEGIN QUESTION\nname: {qid}\npoints: {points[qid]:g}\n"))
            cells.append(nbformat.v4.new_markdown_cell(f"Question {qid}."))
            if position == 0:
                # The whole part's code is the solution of its first question;
                # a later question of the same part only has tests.
                # The in-code markers make otter strip the code from the
                # student release as well (the raw-cell block alone does not).
                solution = f"# BEGIN SOLUTION\n{code.source}\n# END SOLUTION"
                cells += [_raw("# BEGIN SOLUTION"), nbformat.v4.new_code_cell(solution),
                          _raw("# END SOLUTION")]
            cells.append(_raw("# BEGIN TESTS"))
            for t in per_question.get(qid, []):
                head = "# HIDDEN\n" if t.hidden else ""
                cells.append(nbformat.v4.new_code_cell(head + t.code))
            cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def otter_executable():
    """The ``otter`` console script next to this Python (the venv's), else on PATH."""
    candidate = Path(sys.executable).with_name("otter")
    return str(candidate) if candidate.exists() else "otter"


def assign_command(master_path, dist_dir):
    return [otter_executable(), "assign", str(master_path), str(dist_dir)]


def find_zip(dist_dir):
    """The autograder zip ``otter assign`` wrote (its name carries a timestamp)."""
    zips = sorted(Path(dist_dir, "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise FileNotFoundError(f"expected one autograder zip under {dist_dir}/autograder, found {len(zips)}")
    return zips[0]


def run_command(zip_path, out_dir, notebook_path):
    return [otter_executable(), "run", "-a", str(zip_path), "-o", str(out_dir), str(notebook_path)]


def assign(master_path, dist_dir, timeout=600):
    """Run ``otter assign``; returns (zip path, CompletedProcess). Raises on failure."""
    proc = subprocess.run(assign_command(master_path, dist_dir), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"otter assign failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return find_zip(dist_dir), proc
