"""PrairieLearn's external grader: grade ``student/`` and write
``results/results.json`` in PrairieLearn's format.

    RNNGRADE_GRADE_ROOT=/grade python -m autograder.platforms.prairielearn

Under the root (default ``/grade``): the upload is in ``student/``
(platforms/single.py's rule), the assignment config in
``serverFilesCourse/rnngrade/assignment.json`` if the course ships one
(else the package's own), and the results go to
``results/results.json``:

    {"gradable": true, "score": 0.87, "message": "...", "output": "...",
     "tests": [{"name": "q1 tanh RNN step", "points": 15, "max_points": 15,
                "message": "...", "output": "..."}]}

``score`` is a fraction in [0, 1], as PrairieLearn expects. An upload
that could not be graded at all (no notebook, several, a file that is not
a notebook, a syntax error that stops loading, or a failure of the grader
itself) is ``"gradable": false`` with the reason in ``format_errors``:
PrairieLearn then awards nothing and does not count the attempt, so the
student fixes the upload and submits again. Anything that loaded is
graded, whatever its functions do.
"""

import os
import sys
from pathlib import Path

from ..config import ConfigError, load_config
from ..spec import MAX_SCORE
from ..textsafe import one_line
from .single import exit_now, grade_folder, question_title, start_child, usable_limits, write_results



def results(result):
    """PrairieLearn's results.json for one result dict."""
    from ..reports.feedback import LINE_LIMIT, notes, reason
    from ..reports.gradescope import question_output

    tests = [{"name": question_title(q["id"]), "points": q["score"],
              "max_points": q["max_score"], "message": "", "output": question_output(result, q)}
             for q in result["questions"]]
    output = "\n".join(one_line(n, LINE_LIMIT) for n in notes(result))
    if result["status"] != "graded":
        why = one_line(reason(result), LINE_LIMIT)
        return {"gradable": False, "format_errors": [why], "message": why, "output": output}
    return {"gradable": True,
            "score": round(result["score"] / MAX_SCORE, 6),
            "message": f"Graded by rnngrade: {result['score']:g} / {MAX_SCORE:g} points.",
            "output": output,
            "tests": tests}


def run(root):
    """Grade root/student and write root/results/results.json; returns the document."""
    root = Path(root)
    course_config = root / "serverFilesCourse" / "rnngrade" / "assignment.json"
    config = load_config(course_config if course_config.exists() else None)
    limits = usable_limits(config.limits)
    start_child(limits, root / "student")     # before the grading modules load (single.py)
    result = grade_folder(root / "student", limits)
    document = results(result)
    write_results(root, document)
    return document


def main(argv=None):
    root = os.environ.get("RNNGRADE_GRADE_ROOT", "/grade")
    try:
        document = run(root)
    except ConfigError as exc:
        print(f"rnngrade: {exc}", file=sys.stderr)
        return 2
    verdict = f"score {document['score']:g}" if document["gradable"] else "not gradable"
    print(f"rnngrade: {verdict}; wrote {Path(root) / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    exit_now(main())
