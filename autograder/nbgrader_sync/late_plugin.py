"""Our late policy (assignment.json's ``due``, ``late_policy``,
``extensions``) as an nbgrader late-submission plugin, so that nbgrader's
gradebook, ``nbgrader export`` and the feedback carry the same penalty as
``rnngrade grade``'s grades.csv.

``rnngrade nbgrader`` sets the assignment's due date in the gradebook to
``due`` and points ``AssignLatePenalties.plugin_class`` here. nbgrader
measures how late each submission is from its own ``timestamp.txt``
against that due date and asks this plugin for the penalty in points:
grace and the student's extension are taken off first, then each started
day costs ``per_day`` of the score, up to ``max`` (autograder/late.py).
"""

from datetime import timedelta

from nbgrader.plugins import BasePlugin
from traitlets import Unicode

from ..config import load_config
from ..late import penalised, penalty_fraction


class PolicyLatePenalty(BasePlugin):
    """nbgrader's late-submission plugin interface over autograder/late.py."""

    config_file = Unicode("", help="the assignment config holding the late policy "
                                   "(empty: the bundled one)").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        """Points taken off a notebook's score (None: no penalty)."""
        policy = load_config(self.config_file or None).late
        if policy.due is None:
            return None
        submitted = policy.due + timedelta(seconds=float(total_seconds_late))
        fraction = penalty_fraction(policy, student_id, submitted)
        return penalised(float(score), fraction)[1] if fraction else None    # points, to the cent as grades.csv
