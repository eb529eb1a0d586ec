"""Never fail a correct answer: a correct notebook as students really hand it in.

The catalogue (tests/files/correct/) varies how the contract functions are
written. A real notebook also carries what students leave around them:
IPython magics and shell commands, matplotlib plots of the experiment, a
CS231n-style numerical gradient check that calls their own functions at the
top level, a too-strict assert that raises, a __main__ block waiting for
input(), display() calls. None of that is graded, so none of it may cost a
point; a cell that raises is named in the notes, and the cells after it
still run. Graded through the real command, in the sandbox.
"""

import json
import subprocess
import sys

import nbformat
import pytest

from autograder.spec import MAX_SCORE
from autograder.submissions import reference_source, to_notebook, write_notebook

# Cells before the answers: setup as the course notebooks write it.
SETUP_CELLS = (
    "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nimport numpy as np\n"
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (10.0, 8.0)\n"
    "!pip install numpy --quiet",
    "def rel_error(x, y):\n"
    "    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))\n\n\n"
    "def eval_numerical_gradient_array(f, x, df, h=1e-5):\n"
    "    grad = np.zeros_like(x)\n"
    "    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])\n"
    "    while not it.finished:\n"
    "        ix = it.multi_index\n        old = x[ix]\n"
    "        x[ix] = old + h\n        pos = f(x).copy()\n"
    "        x[ix] = old - h\n        neg = f(x).copy()\n"
    "        x[ix] = old\n        grad[ix] = np.sum((pos - neg) * df) / (2 * h)\n"
    "        it.iternext()\n    return grad",
)

# Cells right after Part 1's answers: the student's own gradient check, and an
# assert too strict to pass (Parts 2 to 5 come after it and must still load).
STRICT_ASSERT = "my gradient check is too strict"
RNN_CHECK_CELLS = (
    "np.random.seed(231)\nN, D, T, H = 2, 3, 10, 5\nx = np.random.randn(N, T, D)\n"
    "h0 = np.random.randn(N, H)\nWx = np.random.randn(H, D)\nWh = np.random.randn(H, H)\n"
    "b = np.random.randn(H)\nout, cache = rnn_forward(x, h0, Wx, Wh, b)\n"
    "dout = np.random.randn(*out.shape)\ndx, dh0, dWx, dWh, db = rnn_backward(dout, cache)\n"
    "dx_num = eval_numerical_gradient_array(lambda x: rnn_forward(x, h0, Wx, Wh, b)[0], x, dout)\n"
    "print('dx error: ', rel_error(dx_num, dx))",
    f"assert rel_error(dx_num, dx) < 1e-20, {STRICT_ASSERT!r}",
)

# Cells after all the answers: the experiment and leftovers.
END_CELLS = (
    "%%time\nfig, ax = plt.subplots()\nfor a in [0.5, 0.9, 1.0, 1.1, 1.5]:\n"
    "    q, _ = np.linalg.qr(np.random.randn(32, 32))\n"
    "    norms = gradient_norms_through_time(np.zeros((4, 60, 8)), np.zeros((4, 32)),\n"
    "                                        np.random.randn(32, 8), a * q, np.zeros(32),\n"
    "                                        np.random.randn(4, 32))\n"
    "    ax.semilogy(norms, label=f'a={a}: rate {decay_rate(norms):.3f}')\n"
    "ax.legend()\nplt.show()",
    "%timeit rnn_step_forward(x[:, 0], h0, Wx, Wh, b)",
    "display(out.shape)\nout[0, :2]",
    "if __name__ == '__main__':\n    input('press Enter to close the plots')",
)


def realistic_notebook():
    """The answer key's notebook with setup cells first, checks after Part 1, leftovers last."""
    nb = to_notebook(reference_source())
    code = nbformat.v4.new_code_cell
    part1 = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "def rnn_backward" in c.source)
    nb.cells = (nb.cells[:1] + [code(c) for c in SETUP_CELLS] + nb.cells[1:part1 + 1]
                + [code(c) for c in RNN_CHECK_CELLS] + nb.cells[part1 + 1:] + [code(c) for c in END_CELLS])
    return nb


@pytest.mark.slow
def test_correct_notebook_with_leftover_cells_gets_full_marks(tmp_path):
    """Magics, plots, a raising assert and a __main__ input() cost nothing; the raise is a note."""
    path = write_notebook(realistic_notebook(), tmp_path / "student.ipynb")
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(path), "--json", "--quiet"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (row,) = json.loads(proc.stdout)["submissions"]
    lost = {q["id"]: q["feedback"] for q in row["questions"] if q["score"] != q["max_score"]}
    assert lost == {}
    assert (row["status"], row["score"]) == ("graded", MAX_SCORE)
    assert any(STRICT_ASSERT in note and "AssertionError" in note for note in row.get("notes", []))
