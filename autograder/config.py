"""The assignment config an instructor edits: assignments/rnn_gradients/assignment.json.

    {"name": "rnn_gradients", "limits": {"call_seconds": 10, ...},
     "forbidden_imports": ["torch", "jax", ...]}

``forbidden_imports`` (top level, as SPEC.md puts it) becomes
Limits.forbidden_imports, so it reaches the sandbox and the resume key like
every limit; absent, the default list of autodiff libraries applies.

Unknown keys and wrong types are errors, never silently ignored (otter's
config accepts anything; ours says what is wrong).
"""

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "assignments" / "rnn_gradients" / "assignment.json"
_KEYS = {"name", "limits", "forbidden_imports"}


class ConfigError(ValueError):
    """The assignment config cannot be used; the message says why."""


@dataclass(frozen=True)
class AssignmentConfig:
    name: str = "rnn_gradients"
    limits: object = field(default=None)      # a sandbox Limits


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
    return AssignmentConfig(name=name, limits=limits)


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
