"""The in-process floor: grade every submission in one process, no sandbox.

    python bench/floor.py --out RESULT.json NOTEBOOK...

For each notebook: read it, join its code cells (what a student's notebook
defines), and ``grade_source`` it here, with the same checks ``rnngrade``
runs. This is the fastest possible unsandboxed loop: no process start per
submission, no serialisation of arguments and results, no limits. Only for
trusted code (the generated corpus), never for real submissions.

RESULT.json: {"seconds": [per submission], "scores": [...], "loop_seconds": total}
(the loop alone; the command's wall time, measured outside, adds start-up).
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path[:1] = [str(Path(__file__).resolve().parents[1])]

import nbformat  # noqa: E402

from autograder.grading import grade_source  # noqa: E402
from autograder.submissions import notebook_code  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args(argv)
    seconds, scores = [], []
    loop_start = time.perf_counter()
    for path in args.notebooks:
        start = time.perf_counter()
        with open(path, encoding="utf-8") as fh:
            nb = nbformat.read(fh, as_version=4)
        grade = grade_source(notebook_code(nb), Path(path).stem)
        seconds.append(time.perf_counter() - start)
        scores.append(grade.score)
    loop_seconds = time.perf_counter() - loop_start
    Path(args.out).write_text(json.dumps({"seconds": seconds, "scores": scores,
                                          "loop_seconds": loop_seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
