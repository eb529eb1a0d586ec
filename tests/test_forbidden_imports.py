"""Numpy means numpy: autodiff libraries cannot be imported by a submission.

A submission whose backward passes called torch.autograd once took full
marks on q1 and q2. The names come from assignment.json's
``forbidden_imports`` (validated by config.py) through Limits to the
sandbox: the child refuses the import with a sentence saying why, and in
the namespace modes the packages' folders are hidden, so removing the
import hook gains nothing. Hostile fixtures run in the sandbox only.
"""

import json
import subprocess
import sys

import pytest

from autograder.config import ConfigError, load_config
from autograder.sandbox import Limits, SandboxedStudent, isolation_mode
from autograder.sandbox.imports import DEFAULT_FORBIDDEN, ImportGuard, forbidden_paths, refusal
from autograder.sandbox.launcher import _hidden_paths, _site_dirs
from hostile_fixtures import hostile_dir, zeros_source

HOSTILE = hostile_dir()
MODE = isolation_mode()
needs_namespaces = pytest.mark.skipif(MODE == "none", reason="needs namespaces (root or userns)")
torch_installed = pytest.mark.skipif(
    not forbidden_paths(("torch",), tuple(_site_dirs().split(":"))), reason="torch is not installed")


# ------------------------------------------------------------------ config and limits

def _config(tmp_path, data):
    path = tmp_path / "assignment.json"
    path.write_text(json.dumps(data))
    return path


def test_bundled_config_forbids_the_autodiff_libraries():
    names = load_config().limits.forbidden_imports
    assert {"torch", "jax", "tensorflow", "autograd"} <= set(names)


def test_config_maps_forbidden_imports_into_limits(tmp_path):
    limits = load_config(_config(tmp_path, {"forbidden_imports": ["torch", "jax.numpy", "torch"],
                                            "limits": {"call_seconds": 5}})).limits
    assert limits.forbidden_imports == ("torch", "jax.numpy")
    assert limits.call_seconds == 5
    assert load_config(_config(tmp_path, {"limits": {}})).limits.forbidden_imports == DEFAULT_FORBIDDEN
    assert load_config(_config(tmp_path, {"forbidden_imports": []})).limits.forbidden_imports == ()


@pytest.mark.parametrize("value, words", [
    ("torch", "must be a list"),
    ([""], "is not a module name"),
    (["torch", 3], "is not a module name"),
    (["torch autograd"], "is not a module name"),
])
def test_config_refuses_bad_forbidden_imports(tmp_path, value, words):
    with pytest.raises(ConfigError, match=words):
        load_config(_config(tmp_path, {"forbidden_imports": value}))


def test_config_still_refuses_unknown_keys(tmp_path):
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(_config(tmp_path, {"forbidden_import": ["torch"]}))


@pytest.mark.parametrize("value", [["torch"], ("",), ("torch", None), "torch"])
def test_limits_validate_forbidden_imports(value):
    with pytest.raises(ValueError, match="forbidden_imports"):
        Limits(forbidden_imports=value)


def test_forbidden_imports_change_the_resume_key():
    assert repr(Limits()) != repr(Limits(forbidden_imports=("torch",)))


# ------------------------------------------------------------------ the guard and the hidden folders

def test_guard_refuses_the_package_and_its_submodules_with_the_reason():
    guard = ImportGuard(("torch", "jax.numpy"))
    for name, refused in (("torch", "torch"), ("torch.autograd", "torch"), ("jax.numpy.linalg", "jax.numpy")):
        with pytest.raises(ModuleNotFoundError) as info:
            guard.find_spec(name)
        assert str(info.value) == refusal(refused)
        assert f"`import {refused}` is not allowed" in str(info.value)
        assert "derive backprop by hand with numpy" in str(info.value)
    for name in ("numpy", "torchvision", "jax", "scipy.optimize"):
        assert guard.find_spec(name) is None


@torch_installed
def test_forbidden_paths_hold_torch_and_everything_its_distribution_installs():
    paths = forbidden_paths(("torch",), tuple(_site_dirs().split(":")))
    names = {p.rstrip("/").rsplit("/", 1)[-1] for p in paths}
    assert {"torch", "functorch"} <= names
    assert any(n.startswith("torch-") and n.endswith(".dist-info") for n in names)
    assert not any(n.startswith("numpy") for n in names)
    hidden = _hidden_paths(("torch",))
    assert set(paths) <= set(hidden)
    assert not set(paths) & set(_hidden_paths(()))


# ------------------------------------------------------------------ through the sandbox

@pytest.mark.parametrize("isolation", ["auto", "none"])
def test_sandboxed_import_of_torch_is_refused_with_the_reason(isolation):
    with SandboxedStudent(HOSTILE / "torch_autograd.py", Limits(isolation=isolation)) as s:
        probe = s.call("probe").value
        backward = s.call("rnn_step_backward", *_step_backward_args())
    assert probe == {"import": "ModuleNotFoundError", "message": refusal("torch")}
    assert backward.kind == "exception" and "`import torch` is not allowed" in backward.error


@torch_installed
def test_without_forbidden_imports_the_torch_fixture_does_run():
    """The fixture is a real cheat: with an empty list torch imports and differentiates."""
    with SandboxedStudent(HOSTILE / "torch_autograd.py", Limits(forbidden_imports=())) as s:
        assert s.call("probe").value == {"import": "ok", "autograd": True}
        backward = s.call("rnn_step_backward", *_step_backward_args())
    assert backward.ok and len(backward.value) == 5


@needs_namespaces
@torch_installed
def test_removing_the_guard_finds_no_torch_in_the_namespace_modes():
    with SandboxedStudent(HOSTILE / "torch_guard_removed.py", Limits()) as s:
        probe = s.call("probe").value
        backward = s.call("rnn_step_backward", *_step_backward_args())
    assert probe["guard_left"] == [] and probe["spec_origin"] is None
    assert all(listing == [] for listing in probe["folders"].values())
    assert probe.get("autograd") is not True
    assert not backward.ok


def test_a_refused_import_at_the_top_is_a_load_note_naming_it(tmp_path):
    path = tmp_path / "top_level_import.py"
    path.write_text("import numpy as np\nfrom jax import grad\n\ndef chain_product(factors):\n    return 1.0\n")
    with SandboxedStudent(path, Limits()) as s:
        notes, defined = s.load.notes, s.has("chain_product")
    assert not defined
    assert any(refusal("jax") in note and "line 2" in note for note in notes), notes


def _step_backward_args():
    import numpy as np
    rng = np.random.default_rng(0)
    cache = (rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((4, 3)),
             rng.standard_normal((4, 4)), rng.standard_normal(4))
    return rng.standard_normal((2, 4)), cache


@pytest.mark.slow
def test_graded_torch_cheats_score_no_more_than_zeros_and_say_why(tmp_path):
    for name in ("torch_autograd.py", "torch_guard_removed.py"):
        (tmp_path / name).write_bytes((HOSTILE / name).read_bytes())
    (tmp_path / "zeros.py").write_text(zeros_source())
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(tmp_path), "--jobs", "1",
                           "--json", "--quiet"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["student"]: r for r in json.loads(proc.stdout)["submissions"]}
    twin = {q["id"]: q["score"] for q in rows["zeros"]["questions"]}
    for name in ("torch_autograd", "torch_guard_removed"):
        got = {q["id"]: q["score"] for q in rows[name]["questions"]}
        assert got["q1"] <= twin["q1"] and got["q2"] <= twin["q2"], (name, got, twin)
    q1 = next(q for q in rows["torch_autograd"]["questions"] if q["id"] == "q1")
    assert any("`import torch` is not allowed in this assignment" in line for line in q1["feedback"])
