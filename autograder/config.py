"""The assignment config an instructor edits: assignments/rnn_gradients/assignment.json.

    {"name": "rnn_gradients", "limits": {"call_seconds": 10, ...},
     "forbidden_imports": ["torch", "jax", ...],
     "due": "2026-12-01T17:00:00+01:00",
     "late_policy": {"per_day": 0.1, "max": 0.3, "grace_minutes": 15},
     "extensions": {"ada": 48}}

``forbidden_imports`` (top level, as SPEC.md puts it) becomes
Limits.forbidden_imports, so it reaches the sandbox and the resume key like
every limit; absent, the default list of autodiff libraries applies.

``due`` (ISO 8601 with an offset: a naive time is refused, since the
grading machine's time zone must not decide a penalty), ``late_policy``
(``per_day`` and ``max``, fractions in [0, 1], both required;
``grace_minutes`` >= 0, default 0) and ``extensions`` (student id -> extra
hours >= 0) become AssignmentConfig.late, a late.LatePolicy; all are
optional, and without ``due`` nothing is ever penalised (a ``late_policy``
without ``due`` is refused: it would silently do nothing). They are not
limits: a changed policy never invalidates the result cache.

Unknown keys and wrong types are errors, never silently ignored (otter's
config accepts anything; ours says what is wrong).
"""

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .late import LatePolicy, finite_number

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "assignments" / "rnn_gradients" / "assignment.json"
_KEYS = {"name", "limits", "forbidden_imports", "due", "late_policy", "extensions"}
_POLICY_KEYS = {"per_day", "max", "grace_minutes"}
MAX_HOURS = 24 * 366 * 10          # ten years: a longer grace or extension is a typo


class ConfigError(ValueError):
    """The assignment config cannot be used; the message says why."""


@dataclass(frozen=True)
class AssignmentConfig:
    name: str = "rnn_gradients"
    limits: object = field(default=None)      # a sandbox Limits
    late: LatePolicy = field(default_factory=LatePolicy)


def load_config(path=None):
    """Read and validate the config; the bundled one when path is None (defaults if absent)."""
    from .sandbox import Limits

    p = Path(path) if path is not None else DEFAULT_PATH
    if path is None and not p.exists():
        return AssignmentConfig(limits=Limits())
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read the config ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: the config must be a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"{p}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    name = data.get("name", "rnn_gradients")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{p}: name must be a non-empty string")
    try:
        limits = Limits.from_mapping(data.get("limits", {}))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{p}: limits: {exc}") from None
    if "forbidden_imports" in data:
        limits = dataclasses.replace(limits, forbidden_imports=_forbidden(data["forbidden_imports"], p))
    return AssignmentConfig(name=name, limits=limits, late=_late(data, p))


def _forbidden(value, p):
    """forbidden_imports: a list of module names ("torch", "jax.numpy"), as a tuple."""
    from .sandbox.imports import valid_name

    if not isinstance(value, list):
        raise ConfigError(f"{p}: forbidden_imports must be a list of module names")
    bad = [v for v in value if not valid_name(v)]
    if bad:
        raise ConfigError(f"{p}: forbidden_imports: {bad[0]!r} is not a module name "
                          "(a non-empty string such as \"torch\")")
    return tuple(dict.fromkeys(value))


def _late(data, p):
    """The LatePolicy of the config's due, late_policy and extensions keys."""
    due = _due(data["due"], p) if "due" in data else None
    if "late_policy" in data and due is None:
        raise ConfigError(f"{p}: late_policy needs a due date (\"due\": \"2026-12-01T17:00:00+01:00\")")
    policy = data.get("late_policy", {"per_day": 0, "max": 0})
    if not isinstance(policy, dict):
        raise ConfigError(f"{p}: late_policy must be an object with per_day, max and grace_minutes")
    unknown = sorted(set(policy) - _POLICY_KEYS)
    if unknown:
        raise ConfigError(f"{p}: late_policy: unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(_POLICY_KEYS))}")
    missing = sorted({"per_day", "max"} - set(policy))
    if missing:
        raise ConfigError(f"{p}: late_policy: {' and '.join(missing)} missing (fractions of the raw score)")
    for key in ("per_day", "max"):
        _number(policy[key], f"late_policy.{key}", 1, p, "a fraction between 0 and 1")
    grace = _number(policy.get("grace_minutes", 0), "late_policy.grace_minutes", MAX_HOURS * 60, p,
                    "a number of minutes >= 0")
    late = LatePolicy(due=due, per_day=policy["per_day"], max=policy["max"], grace_minutes=grace,
                      extensions=_extensions(data.get("extensions", {}), p))
    try:
        for student in (None, *late.extensions):
            late.deadline(student)
    except OverflowError:
        raise ConfigError(f"{p}: due plus grace and extensions is past the year 9999") from None
    return late


def _due(value, p):
    """An ISO 8601 time with an offset, as an aware datetime."""
    example = "e.g. \"2026-12-01T17:00:00+01:00\" or \"2026-12-01T16:00:00Z\""
    if not isinstance(value, str):
        raise ConfigError(f"{p}: due must be a string, an ISO 8601 time with an offset ({example})")
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{p}: due {value!r} is not an ISO 8601 time ({example})") from None
    if due.tzinfo is None:
        raise ConfigError(f"{p}: due {value!r} has no offset; say which time zone it is in ({example})")
    return due


def _number(value, what, top, p, meaning):
    """A finite number in [0, top] (never a bool or a string)."""
    if not finite_number(value) or not 0 <= value <= top:
        raise ConfigError(f"{p}: {what} must be {meaning}, not {json.dumps(value)}")
    return value


def _extensions(value, p):
    """Student id -> extra hours; an id nobody has is fine (they may not have submitted yet)."""
    if not isinstance(value, dict):
        raise ConfigError(f"{p}: extensions must be an object: student id -> extra hours")
    for student, hours in value.items():
        if not student:
            raise ConfigError(f"{p}: extensions: a student id must be a non-empty string")
        _number(hours, f"extensions[{student!r}]", MAX_HOURS, p, "a number of hours >= 0")
    return dict(value)
