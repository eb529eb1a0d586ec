"""The README's main job: ``make demo`` (``python -m autograder.demo``).

1. runs the gradient-flow experiment of the answer key and prints its table
   (and writes build/gradient_flow.png);
2. writes the bundled sample submissions to build/demo/submissions/;
3. grades them with ``rnngrade grade`` and prints the grade table, writing
   grades.csv, feedback and Gradescope results to build/demo/grades/.
"""

import sys
from pathlib import Path

from . import cli
from .samples import materialize

BUILD = Path("build")


def main():
    from solutions import experiments

    curves = experiments.gradient_flow_curves()
    print("Gradient norms ||dL/dh_t|| going back from the last step (loss on h_T only):\n")
    print(experiments.curve_table(curves))
    BUILD.mkdir(exist_ok=True)
    experiments.plot_curves(curves, BUILD / "gradient_flow.png")
    print(f"\nplot written to {BUILD / 'gradient_flow.png'}\n")

    submissions = BUILD / "demo" / "submissions"
    paths = materialize(submissions)
    print(f"grading {len(paths)} sample submissions from {submissions}:\n")
    return cli.main(["grade", str(submissions), "--out", str(BUILD / "demo" / "grades")])


if __name__ == "__main__":
    sys.exit(main())
