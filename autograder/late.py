"""Late penalties: pure arithmetic on a policy, a student and a submission time.

    policy = LatePolicy(due=datetime(2026, 12, 1, 17, tzinfo=...), per_day=0.1, max=0.3,
                        grace_minutes=15, extensions={"ada": 24})
    fraction = penalty_fraction(policy, "ada", submitted)      # 0.0 .. policy.max
    row = apply(result, policy, SubmissionTime(submitted, "timestamp.txt"))

The rule (SPEC.md, the assignment config): a student's deadline is
``due + grace_minutes + their extension hours``; the number of days late is
the number of STARTED days after that deadline (one second late is one day;
exactly at the deadline is on time); the penalty fraction is
``min(max, per_day x days late)`` and the score is ``raw x (1 - fraction)``.
No due date means no penalty, ever; an unknown submission time means no
penalty either (and the feedback says the time was unknown).

``apply`` works on the result dicts of grading (after grading: the result
cache holds raw results, so a changed policy never regrades anything). It
adds ``raw_score`` and ``late_penalty`` (the POINTS taken off, so that
raw_score - late_penalty = score) and, when there is a due date,
``submitted_at``, ``time_source`` and ``late`` (the details the feedback
explains). Scores are rounded to 2 decimals, as grading rounds them.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

DAY = timedelta(days=1)
SOURCES = {
    "timestamp.txt": "nbgrader's timestamp.txt in your submission folder",
    "--submitted-at": "the submission times your instructor gave",
    "mtime": "the file's modification time",
    "unknown": "unknown",
}


@dataclass(frozen=True)
class LatePolicy:
    """A validated late policy (autograder/config.py builds it); due None: no penalty."""
    due: datetime | None = None
    per_day: float = 0.0
    max: float = 0.0
    grace_minutes: float = 0.0
    extensions: dict = field(default_factory=dict, hash=False)   # student id -> extra hours

    def extension_hours(self, student):
        return self.extensions.get(student, 0)

    def deadline(self, student):
        """The moment after which the student's work is late (None without a due date)."""
        if self.due is None:
            return None
        return self.due + timedelta(minutes=self.grace_minutes, hours=self.extension_hours(student))


@dataclass(frozen=True)
class SubmissionTime:
    """When a submission was handed in, and where that came from (a key of SOURCES);
    note: why a better source was not used ("" when nothing went wrong)."""
    at: datetime | None
    source: str = "unknown"
    note: str = ""


def started_days_late(deadline, submitted):
    """Whole or started days after the deadline (0 when on time; 1 second late is 1 day)."""
    late = submitted - deadline
    if late <= timedelta(0):
        return 0
    return -(-late // DAY)              # timedelta // timedelta: an exact integer, no float


def penalty_fraction(policy, student, submitted):
    """The fraction of the raw score taken off: min(max, per_day x started days late)."""
    if policy.due is None or submitted is None:
        return 0.0
    days = started_days_late(policy.deadline(student), submitted)
    return min(policy.max, policy.per_day * days) if days else 0.0


def penalised(raw, fraction):
    """(score, points taken off) for a raw score, both rounded to 2 decimals, with
    score + points == raw (to the cent) and neither negative."""
    score = round(raw * (1.0 - fraction), 2) + 0.0
    return score, round(raw - score, 2) + 0.0


def iso(moment):
    """A time as ISO 8601 with its offset, to the second when it has no fraction."""
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def apply(result, policy, when=None):
    """The result with the late penalty applied (a new dict; result is not changed).
    Applying it to an already penalised result starts again from its raw score."""
    raw = result.get("raw_score", result["score"])
    extra = {}
    fraction = 0.0
    if policy.due is not None:
        when = when or SubmissionTime(None)
        fraction = penalty_fraction(policy, result["student"], when.at)
        days = started_days_late(policy.deadline(result["student"]), when.at) if when.at else 0
        extra = {"submitted_at": iso(when.at.astimezone(timezone.utc)) if when.at else None,
                 "time_source": when.source,
                 "late": {"due": iso(policy.due), "deadline": iso(policy.deadline(result["student"])),
                          "days_late": days, "grace_minutes": policy.grace_minutes,
                          "extension_hours": policy.extension_hours(result["student"]),
                          "per_day": policy.per_day, "max": policy.max, "fraction": fraction}}
        if when.note:
            extra["late"]["note"] = when.note
    score, points = penalised(raw, fraction)
    out = {}
    for key, value in result.items():
        if key in ("raw_score", "late_penalty", "submitted_at", "time_source", "late"):
            continue
        if key == "questions":
            out.update(extra)
        out[key] = score if key == "score" else value
        if key == "score":
            out["raw_score"], out["late_penalty"] = raw, points
    return out


def _percent(fraction):
    return f"{fraction * 100:g}%"


def _hours(hours):
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def late_lines(result):
    """Plain-text lines explaining the late penalty of a penalised result ([] without a due date)."""
    late = result.get("late")
    if not late:
        return []
    due = datetime.fromisoformat(late["due"])
    local = lambda text: iso(datetime.fromisoformat(text).astimezone(due.tzinfo))
    source = SOURCES.get(result.get("time_source"), result.get("time_source"))
    lines = [f"Due: {late['due']}."]
    if result.get("submitted_at"):
        lines.append(f"Submitted: {local(result['submitted_at'])} (from {source}).")
    else:
        lines.append("Submitted: unknown (no submission time could be found), so no late penalty.")
    if late.get("note"):
        lines.append(late["note"])
    allowance = []
    if late["grace_minutes"]:
        allowance.append(f"a grace period of {late['grace_minutes']:g} minutes")
    if late["extension_hours"]:
        allowance.append(f"your extension of {_hours(late['extension_hours'])}")
    if allowance:
        lines.append(f"Deadline with {' and '.join(allowance)}: {local(late['deadline'])}.")
    if not late["days_late"]:
        if result.get("submitted_at"):
            lines.append("On time: no late penalty.")
        return lines
    days = late["days_late"]
    lines.append(f"Late by {days} started day{'s' if days != 1 else ''} (each day begun after the deadline "
                 f"counts): {_percent(late['per_day'])} per day, at most {_percent(late['max'])}, so "
                 f"{_percent(late['fraction'])} of your raw score {result['raw_score']:g}: "
                 f"{result['late_penalty']:g} points off.")
    return lines


def score_line(result):
    """The score as feedback states it, with the raw score and points off when there was a penalty."""
    text = f"Score: {result['score']:g} / {result['max_score']:g}"
    if result.get("late_penalty"):
        text += f" ({result['raw_score']:g} before the late penalty of {result['late_penalty']:g} points)"
    return text


class Penalised(Sequence):
    """results[i] with the late penalty applied, one at a time (results may be a lazy
    batch.Results: nothing is held in memory); times[i] is a SubmissionTime or None."""

    def __init__(self, results, policy, times=None):
        self._results, self._policy, self._times = results, policy, times

    def __len__(self):
        return len(self._results)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return apply(self._results[i], self._policy, self._times[i] if self._times else None)


def finite_number(value):
    """Whether value is a real JSON number (not a bool, not NaN or infinite)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
