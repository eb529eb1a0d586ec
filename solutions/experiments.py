"""The gradient-flow experiment: how far back does dL/dh_t survive?

The loss depends on the last hidden state only, with a fixed random upstream
gradient dL/dh_T. Going back through time we record ||dL/dh_t|| for

- the tanh RNN with W_hh = a * Q (Q a random orthogonal matrix, so every
  singular value of W_hh is a): below a = 1 the gradient vanishes
  geometrically, above it the gradient can explode;
- an LSTM whose forget gates sit near 1 (forget bias +5, small weights):
  the cell state carries the gradient back almost unchanged;
- a GRU whose update gates sit near 0 (update bias -5, small weights): the
  step nearly copies h_{t-1}, and so does its backward pass.

The notebook and the demo command reuse these functions; run it alone with

    python -m solutions.experiments [--out PATH]

which prints a table of the norms and writes a plot (default
build/gradient_flow.png).

Letters: N minibatch, T sequence length, D input size, H hidden size.
"""

import argparse
import os
from collections import OrderedDict

import numpy as np

from .gradient_flow import decay_rate, gradient_norms_through_time
from .gru import gru_step_backward, gru_step_forward
from .lstm import lstm_step_backward, lstm_step_forward

DEFAULT_SCALES = (0.5, 0.9, 1.0, 1.1, 1.5)
DEFAULT_STEPS = (0, 10, 20, 30, 40, 49)
DEFAULT_PLOT = os.path.join("build", "gradient_flow.png")


def random_orthogonal(H, rng):
    """A random orthogonal matrix, uniformly distributed (Haar measure).

    Inputs:
    - H: size
    - rng: numpy Generator

    Returns:
    - Q: shape (H, H) with Q.T @ Q = I, so every singular value is 1
    """
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    # Fixing the signs of R's diagonal makes the distribution uniform.
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def lstm_gradient_norms(x, h0, params, dh_T):
    """Norm of dL/dh_t at every step of an LSTM when the loss sees only h_T.

    The backward pass chains lstm_step_backward, carrying both dh and dc.
    With the loss on h_T only, no gradient arrives from outside at the
    earlier states, so the dh_prev a step returns is the whole dL/dh_{t-1}.

    Inputs:
    - x: shape (N, T, D); h0: shape (N, H)
    - params: LSTM parameters, as in lstm_step_forward
    - dh_T: dL/dh_T, shape (N, H)

    Returns:
    - norms: shape (T,), norms[t] is the Frobenius norm over the batch of
      dL/dh_{t+1}; norms[T-1] = ||dh_T||
    """
    T = x.shape[1]
    h_t, c_t = h0, np.zeros_like(h0)                 # c_0 = 0
    caches = []
    for t in range(T):
        h_t, c_t, step_cache = lstm_step_forward(x[:, t, :], h_t, c_t, params)
        caches.append(step_cache)
    norms = np.empty(T)
    dh_t = dh_T
    dc_t = np.zeros_like(dh_T)                       # the loss does not read c_T
    norms[T - 1] = np.linalg.norm(dh_t)
    for t in range(T - 1, 0, -1):
        # caches[t] is the step that made h_{t+1} from h_t.
        _, dh_t, dc_t, _ = lstm_step_backward(dh_t, dc_t, caches[t])
        norms[t - 1] = np.linalg.norm(dh_t)
    return norms


def gru_gradient_norms(x, h0, params, dh_T):
    """Norm of dL/dh_t at every step of a GRU when the loss sees only h_T.

    Inputs:
    - x: shape (N, T, D); h0: shape (N, H)
    - params: GRU parameters, as in gru_step_forward
    - dh_T: dL/dh_T, shape (N, H)

    Returns:
    - norms: shape (T,), norms[t] is the Frobenius norm over the batch of
      dL/dh_{t+1}; norms[T-1] = ||dh_T||
    """
    T = x.shape[1]
    h_t = h0
    caches = []
    for t in range(T):
        h_t, step_cache = gru_step_forward(x[:, t, :], h_t, params)
        caches.append(step_cache)
    norms = np.empty(T)
    dh_t = dh_T
    norms[T - 1] = np.linalg.norm(dh_t)
    for t in range(T - 1, 0, -1):
        _, dh_t, _ = gru_step_backward(dh_t, caches[t])
        norms[t - 1] = np.linalg.norm(dh_t)
    return norms


def _gate_params(keys, H, D, weight_std, rng):
    """Weights of shape (H, H + D) drawn with std weight_std, zero biases."""
    return {key: (weight_std * rng.standard_normal((H, H + D)) if key.startswith("W_")
                  else np.zeros(H))
            for key in keys}


def gradient_flow_curves(T=50, N=4, D=8, H=32, scales=DEFAULT_SCALES, seed=0,
                         forget_bias=5.0, update_bias=-5.0, gate_weight_std=0.1,
                         input_weight_std=0.1):
    """||dL/dh_t|| through time for tanh RNNs of several scales, an LSTM and a GRU.

    Every model reads the same inputs x (standard normal), starts from
    h0 = 0 and gets the same dL/dh_T (standard normal); the loss depends on
    h_T only.

    Inputs:
    - T, N, D, H: sequence length, minibatch, input size, hidden size
    - scales: the values a of W_hh = a * Q for the tanh RNN, Q random
      orthogonal (so sigma_max(W_hh) = a); W_xh has std
      input_weight_std / sqrt(D) and b_h = 0
    - seed: seed of the numpy Generator drawing everything
    - forget_bias: b_f of the LSTM (f = sigmoid(5) = 0.993 near 1)
    - update_bias: b_z of the GRU (z = sigmoid(-5) = 0.007 near 0)
    - gate_weight_std: std of every LSTM and GRU weight, shape (H, H + D)
    - input_weight_std: see scales

    Returns:
    - curves: OrderedDict label -> norms, shape (T,), norms[t] the Frobenius
      norm over the batch of dL/dh_{t+1} (so norms[T-1] = ||dL/dh_T||);
      first the RNNs in the order of scales, then the LSTM, then the GRU
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))
    h0 = np.zeros((N, H))
    dh_T = rng.standard_normal((N, H))
    W_xh = (input_weight_std / np.sqrt(D)) * rng.standard_normal((H, D))
    Q = random_orthogonal(H, rng)
    b_h = np.zeros(H)

    curves = OrderedDict()
    for a in scales:
        label = f"tanh RNN, W_hh = {float(a)} Q"
        curves[label] = gradient_norms_through_time(x, h0, W_xh, a * Q, b_h, dh_T)

    lstm_params = _gate_params(("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o"),
                               H, D, gate_weight_std, rng)
    lstm_params["b_f"] = np.full(H, float(forget_bias))
    curves[f"LSTM, b_f = {forget_bias:+g}"] = lstm_gradient_norms(x, h0, lstm_params, dh_T)

    gru_params = _gate_params(("W_z", "b_z", "W_r", "b_r", "W_h", "b_h"),
                              H, D, gate_weight_std, rng)
    gru_params["b_z"] = np.full(H, float(update_bias))
    curves[f"GRU, b_z = {update_bias:+g}"] = gru_gradient_norms(x, h0, gru_params, dh_T)
    return curves


def curve_table(curves, steps=DEFAULT_STEPS):
    """A fixed-width text table of gradient norms, one row per model.

    Inputs:
    - curves: mapping label -> norms of shape (T,), as gradient_flow_curves
      returns (norms[T-1] is the last step)
    - steps: numbers of steps back from the end, k = T-1-t, one column each;
      steps that some curve does not reach are left out

    Returns:
    - a string: a header line, then for each model its label, ||dL/dh_t||
      at each step back in scientific notation, and its decay_rate
    """
    if not curves:
        raise ValueError("curve_table needs at least one curve")
    shortest = min(len(norms) for norms in curves.values())
    steps = [k for k in steps if 0 <= k < shortest]
    if not steps:
        raise ValueError(f"no step in the table is shorter than the curves ({shortest})")
    label_width = max(len("model"), *(len(label) for label in curves))
    header = (f"{'model':<{label_width}}"
              + "".join(f"{'k=' + str(k):>11}" for k in steps)
              + f"{'rate/step':>11}")
    lines = ["||dL/dh_t|| at k steps back from the last state (loss on h_T only)",
             header, "-" * len(header)]
    for label, norms in curves.items():
        norms = np.asarray(norms)
        T = norms.shape[0]
        values = "".join(f"{norms[T - 1 - k]:>11.3e}" for k in steps)
        lines.append(f"{label:<{label_width}}{values}{decay_rate(norms):>11.4f}")
    return "\n".join(lines)


def plot_curves(curves, path):
    """Plot ||dL/dh_t|| against steps back on a log scale and save a PNG.

    Uses matplotlib's Agg canvas directly, so no display and no global
    backend switch are needed.

    Inputs:
    - curves: mapping label -> norms of shape (T,), as gradient_flow_curves
      returns
    - path: where to write the PNG; its folder must exist

    Returns:
    - path
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, norms in curves.items():
        norms = np.asarray(norms)
        steps_back = np.arange(norms.shape[0])            # k = 0 is h_T
        style = "-" if label.startswith("tanh RNN") else "--"
        ax.semilogy(steps_back, norms[::-1], style, linewidth=2,
                    label=f"{label} (rate {decay_rate(norms):.3f}/step)")
    ax.set_xlabel("steps back from the last hidden state, k = T - t")
    ax.set_ylabel("||dL/dh_t|| (log scale)")
    ax.set_title("Gradient flow back through time (loss on the last state only)")
    ax.grid(True, which="major", alpha=0.4)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def main(argv=None):
    """Command line: print the table and write the plot."""
    parser = argparse.ArgumentParser(
        prog="python -m solutions.experiments",
        description="Gradient flow through time: tanh RNNs, an LSTM and a GRU.")
    parser.add_argument("--out", default=DEFAULT_PLOT,
                        help=f"where to write the PNG (default: {DEFAULT_PLOT})")
    args = parser.parse_args(argv)
    curves = gradient_flow_curves()
    print(curve_table(curves))
    folder = os.path.dirname(args.out)
    if folder:
        os.makedirs(folder, exist_ok=True)
    plot_curves(curves, args.out)
    print(f"\nplot written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
