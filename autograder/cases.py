"""Seeded inputs for the checks (which cases: checks/profile.py and checks/hidden.py).

Every case is generated from a generator seeded by its name, so the same
submission always meets the same numbers, on every machine. Inputs are
float64 with weights scaled by 1/sqrt(fan-in), so tanh and sigmoid work in
their sensitive range and every bug shows in the values.
"""

import zlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sizes:
    N: int
    T: int
    D: int
    H: int

    @property
    def name(self):
        return f"N={self.N} T={self.T} D={self.D} H={self.H}"

    @property
    def features(self):
        """Case features used to say when a function fails ("only when D == H")."""
        f = set()
        if self.D == self.H:
            f.add("D==H")
        for letter in "NTDH":
            if getattr(self, letter) > 1:
                f.add(f"{letter}>1")
        return frozenset(f)

    def as_dict(self):
        return {"N": self.N, "T": self.T, "D": self.D, "H": self.H}


def rng_for(*tags):
    """A generator seeded by a readable tag, e.g. rng_for("q1", "N=2 T=3 D=4 H=5")."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, tags)).encode()))


def weight(rng, rows, cols, gain=1.0):
    """A (rows, cols) weight with standard deviation gain / sqrt(cols)."""
    return rng.standard_normal((rows, cols)) * (gain / np.sqrt(cols))


def rnn_inputs(rng, s, sequence):
    """x, h0 (or h_prev), W_xh, W_hh, b_h for a tanh RNN of sizes s."""
    x_shape = (s.N, s.T, s.D) if sequence else (s.N, s.D)
    return {
        "x": rng.standard_normal(x_shape),
        "h0" if sequence else "h_prev": 0.8 * rng.standard_normal((s.N, s.H)),
        "W_xh": weight(rng, s.H, s.D),
        "W_hh": weight(rng, s.H, s.H),
        "b_h": 0.3 * rng.standard_normal(s.H),
    }


def gate_params(rng, s, keys):
    """A params dict of LSTM or GRU weights (H, H + D) and biases (H,)."""
    params = {}
    for key in keys:
        if key.startswith("W_"):
            params[key] = weight(rng, s.H, s.H + s.D)
        else:
            params[key] = 0.3 * rng.standard_normal(s.H)
    return params


def gated_inputs(rng, s, keys, sequence, cell=False):
    """x, h_prev (or h0), c_prev when ``cell`` (LSTM steps), and params for gated layers."""
    inputs = {"x": rng.standard_normal((s.N, s.T, s.D) if sequence else (s.N, s.D)),
              "h0" if sequence else "h_prev": 0.8 * rng.standard_normal((s.N, s.H))}
    if cell:
        inputs["c_prev"] = rng.standard_normal((s.N, s.H))
    inputs["params"] = gate_params(rng, s, keys)
    return inputs


def orthogonal(rng, n):
    """A random n x n orthogonal matrix (all singular values 1)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


# Saturated inputs (checks/saturated.py): unit j's weights and bias scaled by
# gains log-spaced from 1 to SATURATION_GAIN, so the pre-activations range from
# the sensitive region to about +-1e3, where exp(+-a) overflows float64.
SATURATION_GAIN = 1000.0


def _row_gains(w, gain):
    g = np.logspace(0.0, np.log10(gain), w.shape[0])
    return w * (g[:, None] if w.ndim == 2 else g)


def saturate(inputs, gain=SATURATION_GAIN):
    """Inputs of a tanh RNN or gated layer with each hidden unit's weights and
    bias scaled by log-spaced gains from 1 to ``gain`` (a new dict)."""
    out = dict(inputs)
    for key in ("W_xh", "W_hh", "b_h"):
        if key in out:
            out[key] = _row_gains(out[key], gain)
    if "params" in out:
        out["params"] = {k: _row_gains(v, gain) for k, v in out["params"].items()}
    return out
