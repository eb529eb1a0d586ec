"""The README's main job: ``make demo`` (``python -m autograder.demo``).

1. builds the releases (``rnngrade build --out build/release``): for English
   and Chinese, the student notebook, the executed answer key, otter's and
   nbgrader's releases and the hardened Gradescope zip;
2. runs the gradient-flow experiment of the answer key and prints its table
   (and writes build/gradient_flow.png);
3. writes the bundled sample submissions to build/demo/submissions/, grades
   them with ``rnngrade grade`` and prints the grade table, then where every
   output went and one line on what each sample student shows.
"""

import sys
from pathlib import Path

from . import cli
from .samples import SAMPLES, materialize

BUILD = Path("build")
RELEASE = BUILD / "release"
GRADES = BUILD / "demo" / "grades"


def _outputs():
    """Lines saying where the demo put what."""
    lines = ["", "Where everything went:"]
    for lang in ("en", "zh"):
        base = RELEASE / lang
        lines += [f"  {base / 'student'}/              the notebook students get ({lang}), with its public checks",
                  f"  {base / 'solution'}/             the executed answer key ({lang})",
                  f"  {base / 'otter'}/                otter assign's release: student/ and autograder/",
                  f"  {base / 'nbgrader'}/             an nbgrader course folder: source/ and release/",
                  f"  {base / 'gradescope' / 'autograder.zip'}   the hardened Gradescope autograder"]
    lines += [f"  {GRADES / 'grades.csv'}        one row per student",
              f"  {GRADES / 'grades.json'}       the --json document (docs/CONTRACT.md)",
              f"  {GRADES / 'feedback'}/          each student's feedback (.md and .html; index.csv)",
              f"  {GRADES / 'gradescope'}/        Gradescope results.json per student",
              f"  {GRADES / 'class_report.html'}  the class report (and class_report.json)",
              "", "What each sample student shows:"]
    width = max(len(s.student) for s in SAMPLES)
    lines += [f"  {s.student:<{width}}  {s.summary}" for s in SAMPLES]
    return lines


def main():
    from solutions import experiments

    print(f"building the releases into {RELEASE} (English and Chinese) ...", flush=True)
    status = cli.main(["build", "--out", str(RELEASE)])
    if status != 0:
        return status

    curves = experiments.gradient_flow_curves()
    print("\nGradient norms ||dL/dh_t|| going back from the last step (loss on h_T only):\n")
    print(experiments.curve_table(curves))
    experiments.plot_curves(curves, BUILD / "gradient_flow.png")
    print(f"\nplot written to {BUILD / 'gradient_flow.png'}\n")

    submissions = BUILD / "demo" / "submissions"
    paths = materialize(submissions)
    print(f"grading {len(paths)} sample submissions from {submissions}:\n", flush=True)
    status = cli.main(["grade", str(submissions), "--out", str(GRADES), "--quiet"])
    print("\n".join(_outputs()))
    return status


if __name__ == "__main__":
    sys.exit(main())
