"""The otter release's settings: assignments/rnn_gradients/otter_config.json, validated.

    {"name": "rnn_gradients", "requirements": "requirements.txt",
     "python_version": "3.11", "export_cell": {"pdf": false},
     "generate": {"show_hidden": false}, ...}

Otter accepts unknown keys and wrong types in its configs silently (a typo
such as "show_hiden" is ignored, "pdf": "no" is true); ours refuses them
with a message that names the key. Every file the config names
(``requirements``, ``files``) is resolved against the config's own folder
and must exist.

Keys are a subset of otter assign's ASSIGNMENT CONFIG keys, passed on
unchanged (file names made relative to the master's folder). The points of
the written (hand-graded, ``manual: true``) questions are not set here: they
are their rubrics' points, from the notebook source.
"""

import json
from pathlib import Path

DEFAULT_PATH = (Path(__file__).resolve().parent.parent.parent
                / "assignments" / "rnn_gradients" / "otter_config.json")
NUMBER = (int, float)

# key -> allowed Python type(s), or a nested schema (a dict) for a JSON object
EXPORT_CELL = {"pdf": bool, "instructions": str, "run_tests": bool, "force_save": bool,
               "ignore_log": bool}
GENERATE = {"show_stdout": bool, "show_hidden": bool, "show_all_public": bool, "pdf": bool,
            "points_possible": NUMBER, "score_threshold": NUMBER, "print_summary": bool,
            "force_public_test_summary": bool, "debug": bool}
SCHEMA = {"name": str, "requirements": str, "python_version": str,
          "show_question_points": bool, "run_tests": bool,
          "init_cell": bool, "check_all_cell": bool, "export_cell": EXPORT_CELL,
          "generate": GENERATE, "files": list}
REQUIRED = ("name", "requirements")
FILE_KEYS = ("requirements",)       # keys naming one file; "files" names several


class OtterConfigError(ValueError):
    """The otter config cannot be used; the message says which key and why."""


def _type_name(allowed):
    kinds = allowed if isinstance(allowed, tuple) else (allowed,)
    names = {bool: "true or false", str: "a string", int: "a number", float: "a number",
             list: "a list"}
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def _check_value(where, value, allowed):
    """Raise OtterConfigError unless value has the allowed type (bool is not a number)."""
    kinds = allowed if isinstance(allowed, tuple) else (allowed,)
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        raise OtterConfigError(f"{where} must be {_type_name(allowed)}, got {json.dumps(value)}")


def _check_object(where, data, schema):
    """Check a JSON object against a schema: known keys, right types, nested objects."""
    if not isinstance(data, dict):
        raise OtterConfigError(f"{where} must be a JSON object")
    unknown = sorted(set(data) - set(schema))
    if unknown:
        raise OtterConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                               f"known: {', '.join(sorted(schema))}")
    for key, value in data.items():
        allowed = schema[key]
        if isinstance(allowed, dict):
            _check_object(f"{where}: {key}", value, allowed)
        else:
            _check_value(f"{where}: {key}", value, allowed)


def _check_files(p, data):
    """Every file the config names exists (relative to the config's folder); returns
    the config with those names made absolute."""
    out = dict(data)
    for key in FILE_KEYS:
        target = p.parent / data[key]
        if not target.is_file():
            raise OtterConfigError(f"{p}: {key}: {data[key]} does not exist (looked for {target})")
        out[key] = str(target.resolve())
    files = []
    for i, name in enumerate(data.get("files", [])):
        if not isinstance(name, str) or not name:
            raise OtterConfigError(f"{p}: files[{i}] must be a file name, got {json.dumps(name)}")
        target = p.parent / name
        if not target.exists():
            raise OtterConfigError(f"{p}: files[{i}]: {name} does not exist (looked for {target})")
        files.append(str(target.resolve()))
    out["files"] = files
    return out


def load(path=None):
    """Read and validate the otter config; the repository's when path is None.

    Returns a dict with file names made absolute. Raises OtterConfigError
    naming the file and the key for an unreadable file, an unknown key, a
    wrong type, a missing required key or a named file that does not exist.
    """
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OtterConfigError(f"{p}: cannot read the otter config ({exc})") from None
    _check_object(str(p), data, SCHEMA)
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise OtterConfigError(f"{p}: missing key(s) {', '.join(missing)}")
    if not data["name"]:
        raise OtterConfigError(f"{p}: name must be a non-empty string")
    return _check_files(p, data)


def assignment_config(config, files=(), autograder_files=()):
    """otter assign's ASSIGNMENT CONFIG from a validated config: file names
    relative to the master, the build's files (a folder name each, next to
    the master) added."""
    out = dict(config)
    out["requirements"] = Path(config["requirements"]).name
    out["files"] = [Path(f).name for f in config.get("files", [])] + list(files)
    out["autograder_files"] = list(autograder_files)
    return out
