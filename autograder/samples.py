"""Sample submissions for the demo, generated from the answer key.

    materialize(dest_dir) -> list[Path]

writes a handful of submissions named like students: correct ones (the
reference as a .py file and as a notebook), students with classic bugs
(the reference with an override file of assignments/rnn_gradients/samples/
appended; see the README there) and the untouched stub. Nothing here is
pasted code: every file is built by autograder/submissions.py.
"""

from dataclasses import dataclass
from pathlib import Path

from .submissions import base_source, compose, to_notebook, write_notebook

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "assignments" / "rnn_gradients" / "samples"


@dataclass(frozen=True)
class Sample:
    """One sample student.

    - student: the student id (the file's stem)
    - override: file name in SAMPLES_DIR appended to the base, or None
    - base: "reference" or "stub"
    - notebook: written as .ipynb instead of .py
    """
    student: str
    override: str | None = None
    base: str = "reference"
    notebook: bool = False
    about: str = ""        # what the sample shows, when it has no override file to say it

    @property
    def summary(self):
        """One line on what this student shows (the override's first docstring line)."""
        if self.override is None:
            return self.about
        from .submissions import read_header
        return read_header(self.override_path).summary

    @property
    def filename(self):
        return self.student + (".ipynb" if self.notebook else ".py")

    @property
    def override_path(self):
        return None if self.override is None else SAMPLES_DIR / self.override

    def source(self):
        if self.override is None:
            return base_source(self.base)
        return compose(self.override_path, self.base)

    def write(self, dest_dir):
        path = Path(dest_dir) / self.filename
        if self.notebook:
            return write_notebook(to_notebook(self.source()), path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.source(), encoding="utf-8")
        return path


SAMPLES = (
    Sample("alice", about="The answer key as a .py file: full marks."),
    Sample("bob", "bob_seed_mistakes.py"),
    Sample("carol", "carol_pytorch_habits.py", notebook=True),
    Sample("dave", "dave_clipping_shortcuts.py"),
    Sample("erin", "erin_forgets_sharing.py"),
    Sample("frank", notebook=True, about="The answer key as a notebook: full marks."),
    Sample("stub_student", base="stub", about="Handed in the untouched stubs: zero, and every function says so."),
)


def materialize(dest_dir):
    """Write every sample submission into dest_dir; returns their paths in SAMPLES order."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    return [sample.write(dest_dir) for sample in SAMPLES]
