"""Does the gradient-flow experiment (solutions.experiments) show what it should?"""

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import solutions
import solutions.experiments as E

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCALES = (0.5, 0.9, 1.0, 1.1, 1.5)
RNN_LABELS = [f"tanh RNN, W_hh = {a} Q" for a in SCALES]
LSTM_LABEL, GRU_LABEL = "LSTM, b_f = +5", "GRU, b_z = -5"


@pytest.fixture(scope="module")
def curves():
    return E.gradient_flow_curves()


def test_curves_are_ordered_labelled_and_shaped(curves):
    assert list(curves) == RNN_LABELS + [LSTM_LABEL, GRU_LABEL]
    for label, norms in curves.items():
        assert norms.shape == (50,), label
        assert np.all(np.isfinite(norms)) and np.all(norms > 0), label
    # Every model starts from the same dL/dh_T.
    last = {float(norms[-1]) for norms in curves.values()}
    assert len(last) == 1


def test_curves_follow_their_arguments():
    curves = E.gradient_flow_curves(T=12, N=2, D=3, H=5, scales=(0.7, 1.3), seed=4)
    assert list(curves) == ["tanh RNN, W_hh = 0.7 Q", "tanh RNN, W_hh = 1.3 Q", LSTM_LABEL, GRU_LABEL]
    assert all(norms.shape == (12,) for norms in curves.values())
    again = E.gradient_flow_curves(T=12, N=2, D=3, H=5, scales=(0.7, 1.3), seed=4)
    for label in curves:
        np.testing.assert_array_equal(curves[label], again[label])
    other = E.gradient_flow_curves(T=12, N=2, D=3, H=5, scales=(0.7, 1.3), seed=5)
    assert not np.array_equal(curves[LSTM_LABEL], other[LSTM_LABEL])


def test_rnn_at_0_5_vanishes_fastest(curves):
    """Is the smallest scale the fastest to vanish, of all seven models?"""
    fastest = curves[RNN_LABELS[0]]
    for label, norms in curves.items():
        if label != RNN_LABELS[0]:
            assert fastest[0] < norms[0], label
    assert fastest[0] / fastest[-1] < 1e-10


def test_rnn_rates_increase_with_the_scale(curves):
    rates = [solutions.decay_rate(curves[label]) for label in RNN_LABELS]
    assert rates == sorted(rates)
    assert rates[0] < 0.6


def test_rnn_at_1_5_explodes(curves):
    norms = curves[RNN_LABELS[-1]]
    assert norms[0] > 10 * norms[-1]
    assert solutions.decay_rate(norms) > 1.0


def test_lstm_and_gru_keep_the_gradient(curves):
    rnn_09 = curves["tanh RNN, W_hh = 0.9 Q"]
    for label in (LSTM_LABEL, GRU_LABEL):
        norms = curves[label]
        assert norms[0] > norms[-1] / 10, label
        assert norms[0] > 100 * rnn_09[0], label


def test_gru_gradient_norms_agree_with_gru_backward():
    """dL/dh_t is also dh0 of gru_backward run on the rest of the sequence
    from h_t, with the whole upstream gradient on the last state."""
    N, T, D, H = 2, 6, 3, 4
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    params = {k: 0.5 * rng.standard_normal((H, H + D) if k.startswith("W_") else (H,))
              for k in ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")}
    dh_T = rng.standard_normal((N, H))
    norms = E.gru_gradient_norms(x, h0, params, dh_T)
    h, _ = solutions.gru_forward(x, h0, params)
    for t in range(T - 1):                       # norms[t] is ||dL/dh_{t+1}||
        rest = x[:, t + 1:, :]
        _, cache = solutions.gru_forward(rest, h[:, t, :], params)
        dh = np.zeros((N, rest.shape[1], H))
        dh[:, -1, :] = dh_T
        _, dh_start, _ = solutions.gru_backward(dh, cache)
        assert norms[t] == pytest.approx(np.linalg.norm(dh_start), rel=1e-12)
    assert norms[-1] == np.linalg.norm(dh_T)


def test_random_orthogonal_is_orthogonal():
    Q = E.random_orthogonal(7, np.random.default_rng(1))
    np.testing.assert_allclose(Q.T @ Q, np.eye(7), atol=1e-13)
    np.testing.assert_allclose(np.linalg.svd(Q, compute_uv=False), 1.0, rtol=1e-13)


# ------------------------------------------------------------------ table
def test_table_shows_every_label_step_and_rate(curves):
    table = E.curve_table(curves)
    for label, norms in curves.items():
        row = next(line for line in table.splitlines() if line.startswith(label))
        assert f"{norms[-1]:.3e}" in row                            # k = 0
        assert f"{norms[0]:.3e}" in row                             # k = 49
        assert f"{solutions.decay_rate(norms):.4f}" in row
    for k in (0, 10, 20, 30, 40, 49):
        assert f"k={k}" in table
    rows = [line for line in table.splitlines()[1:] if line.strip() and not line.startswith("-")]
    assert len({len(line) for line in rows}) == 1                 # fixed width


def test_table_leaves_out_steps_the_curves_do_not_reach():
    curves = E.gradient_flow_curves(T=15, scales=(0.9,))
    table = E.curve_table(curves)
    assert "k=10" in table and "k=20" not in table
    with pytest.raises(ValueError):
        E.curve_table(curves, steps=(20, 30))
    with pytest.raises(ValueError):
        E.curve_table({})


# ------------------------------------------------------------------- plot
def test_plot_is_a_png(curves, tmp_path):
    path = tmp_path / "flow.png"
    assert E.plot_curves(curves, str(path)) == str(path)
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 10_000                                      # not an empty canvas


def test_main_prints_the_table_and_writes_the_plot_into_a_new_folder(tmp_path, capsys):
    out = tmp_path / "new" / "folder" / "plot.png"
    assert E.main(["--out", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_MAGIC
    printed = capsys.readouterr().out
    assert all(label in printed for label in RNN_LABELS + [LSTM_LABEL, GRU_LABEL])
    assert str(out) in printed


def test_main_writes_build_gradient_flow_png_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    E.main([])
    assert (tmp_path / "build" / "gradient_flow.png").read_bytes()[:8] == PNG_MAGIC


@pytest.mark.slow
def test_python_dash_m_solutions_experiments_runs(tmp_path):
    root = Path(solutions.__file__).resolve().parent.parent
    out = tmp_path / "plot.png"
    result = subprocess.run([sys.executable, "-m", "solutions.experiments", "--out", str(out)],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert LSTM_LABEL in result.stdout
    assert out.read_bytes()[:8] == PNG_MAGIC


# ------------------------------------------------------------- layering
def test_solutions_import_nothing_from_the_rest_of_the_repository():
    """The answer key stands alone: no module of solutions/ imports
    autograder or tests (STYLE.md: dependencies point one way)."""
    folder = Path(solutions.__file__).resolve().parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"autograder", "tests"}, f"{path.name} imports {name}"
