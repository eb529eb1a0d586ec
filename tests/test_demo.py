"""make demo's closing lines: where every output went, one line per sample student."""

from autograder import demo
from autograder.samples import SAMPLES


def test_every_sample_says_what_it_shows():
    lines = demo._outputs()
    for sample in SAMPLES:
        assert sample.summary.strip()
        assert any(line.split()[:1] == [sample.student] and sample.summary in line for line in lines)


def test_every_output_folder_is_named():
    text = "\n".join(demo._outputs())
    for part in ("student", "solution", "otter", "nbgrader", "autograder.zip", "grades.csv",
                 "grades.json", "feedback", "gradescope", "class_report.html"):
        assert part in text
