"""Gradescope's ``run_autograder``: grade ``submission/`` and write
``results/results.json`` to Gradescope's specification.

    AUTOGRADER_ROOT=/autograder python -m autograder.platforms.gradescope

Reads, under the root (default ``/autograder``, or ``$AUTOGRADER_ROOT``):

- ``submission/``: the student's upload (platforms/single.py's rule);
- ``source/assignment.json``: the assignment config (sandbox limits);
- ``source/gradescope.json`` (optional): ``{"details": V}``, where V is
  the visibility of the findings (which output is wrong, how far off, the
  hint): "after_published" (default), "visible" or "hidden". Scores and
  each function's ``name: a / b points`` line are always visible.

Writes ``results/results.json``: ``score``, ``output``, and per question a
test (``name`` "q1 tanh RNN step", ``score``, ``max_score``, ``output``,
``visibility``), followed, when a question has findings, by a test of
its details with the configured visibility and no score.
"""

import json
import os
import sys
from pathlib import Path

from ..config import ConfigError, load_config
from ..textsafe import one_line
from .single import exit_now, grade_folder, question_title, start_child, usable_limits, write_results

DETAILS = ("after_published", "visible", "hidden")


def read_options(path):
    """{"details": ...} from gradescope.json; unknown keys and values refused."""
    options = {"details": "after_published"}
    if not path.exists():
        return options
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) - set(options):
        raise ConfigError(f"{path}: only the key 'details' is known")
    if "details" in data:
        if data["details"] not in DETAILS:
            raise ConfigError(f"{path}: details must be one of {', '.join(DETAILS)}")
        options["details"] = data["details"]
    return options


def results(result, details="after_published"):
    """Gradescope's results.json for one result dict."""
    from ..reports.feedback import LINE_LIMIT, items
    from ..reports.gradescope import gradescope_results, question_output

    tests = []
    for q in result["questions"]:
        title = question_title(q["id"])
        functions = items(result, q)
        tests.append({"name": title, "score": q["score"], "max_score": q["max_score"],
                      "output": "\n".join(one_line(head, LINE_LIMIT) for head, _ in functions),
                      "output_format": "text", "visibility": "visible"})
        if any(found for _, found in functions):
            tests.append({"name": f"{title}: details", "output": question_output(result, q),
                          "output_format": "text", "visibility": details})
    base = gradescope_results(result)
    return {"score": base["score"], "output": base["output"], "output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def run(root):
    """Grade root/submission and write root/results/results.json; returns the document."""
    root = Path(root)
    source = root / "source"
    config = load_config(source / "assignment.json")
    options = read_options(source / "gradescope.json")
    limits = usable_limits(config.limits)
    start_child(limits, root / "submission")     # before the grading modules load (single.py)
    result = grade_folder(root / "submission", limits)
    document = results(result, options["details"])
    write_results(root, document)
    return document


def main(argv=None):
    root = os.environ.get("AUTOGRADER_ROOT", "/autograder")
    try:
        document = run(root)
    except ConfigError as exc:
        print(f"rnngrade: {exc}", file=sys.stderr)
        return 2
    print(f"rnngrade: score {document['score']:g}; wrote {Path(root) / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    exit_now(main())
