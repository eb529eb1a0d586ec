"""Do the seed documents' claims hold, once corrected where they are wrong?

The assignment is built on five seed documents (../shared/seeds/). Each
test reproduces one of their claims with the answer key, or the correction
SPEC.md makes to it.
"""

from fractions import Fraction

import numpy as np
import pytest

import solutions as S
from autograder.gradcheck import numerical_gradient, rel_error
from solutions.experiments import gradient_flow_curves, random_orthogonal


# ------------------------------------------------ Part 0: chain products
def _exact_product(factors):
    product = Fraction(1)
    for f in factors:
        product *= Fraction(f)
    return float(product)


def test_vanishing_chain_product_is_0_018144():
    """Seed 000: 0.9 x 0.8 x ... x 0.3 = 0.018 (exactly 0.018144)."""
    factors = ["0.9", "0.8", "0.7", "0.6", "0.5", "0.4", "0.3"]
    result = S.chain_product([float(f) for f in factors])
    assert isinstance(result, float)
    assert result == pytest.approx(_exact_product(factors), rel=1e-14)
    assert result == pytest.approx(0.018144, rel=1e-14)


def test_exploding_chain_product_is_9_801792_not_9_35():
    """Seed 000 prints 1.1 x 1.2 x ... x 1.7 = 9.35, which is wrong: the
    product is 98017920 / 10**7 = 9.801792 exactly (SPEC.md, Part 0)."""
    factors = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"]
    result = S.chain_product(np.array([float(f) for f in factors]))
    assert _exact_product(factors) == 9.801792
    assert result == pytest.approx(9.801792, rel=1e-14)
    assert abs(result - 9.35) > 0.4


def test_chain_product_of_nothing_is_1():
    assert S.chain_product([]) == 1.0


# ------------------------------------------- Part 0: activation derivatives
def test_sigmoid_derivative_never_exceeds_a_quarter():
    """Seed 004: sigmoid'(a) = s(1 - s) <= 1/4, with equality at a = 0,
    so a chain of sigmoid layers shrinks gradients by at least 4 per layer."""
    assert S.max_activation_derivative("sigmoid") == 0.25
    a = np.linspace(-20.0, 20.0, 400001)                   # contains 0 exactly
    s = S.sigmoid(a)
    derivative = s * (1.0 - s)
    assert np.max(derivative) <= 0.25
    assert np.max(derivative) == pytest.approx(0.25, abs=1e-15)
    assert a[np.argmax(derivative)] == 0.0


def test_tanh_derivative_peaks_at_one():
    assert S.max_activation_derivative("tanh") == 1.0
    a = np.linspace(-20.0, 20.0, 400001)
    derivative = 1.0 - np.tanh(a) ** 2
    assert np.max(derivative) == 1.0
    assert np.all(derivative[a != 0.0] < 1.0)


def test_relu_derivative_is_at_most_one():
    assert S.max_activation_derivative("relu") == 1.0


# ------------------------------------------- Part 2: gradient flow claims
@pytest.mark.parametrize("a", [0.5, 0.9, 1.0, 1.1, 2.0], ids=lambda a: f"a={a}")
def test_orthogonal_recurrence_decays_at_exactly_its_scale(a):
    """With x = 0, h0 = 0 and b_h = 0 the state stays 0, tanh' = 1, and each
    step back multiplies dL/dh by (a Q): its norm changes by exactly a."""
    N, T, D, H = 3, 20, 2, 6
    rng = np.random.default_rng(7)
    Q = random_orthogonal(H, rng)
    assert np.allclose(Q.T @ Q, np.eye(H), atol=1e-14)
    x = np.zeros((N, T, D))
    norms = S.gradient_norms_through_time(x, np.zeros((N, H)), rng.standard_normal((H, D)),
                                          a * Q, np.zeros(H), rng.standard_normal((N, H)))
    assert S.decay_rate(norms) == pytest.approx(a, abs=1e-9)
    np.testing.assert_allclose(norms[:-1] / norms[1:], a, rtol=1e-12)


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5, 3.0], ids=lambda s: f"scale={s}")
def test_no_step_back_grows_the_gradient_beyond_sigma_max(scale):
    """Pascanu, Mikolov & Bengio (2013): ||dL/dh_{t-1}|| <= max tanh' *
    sigma_max(W_hh) * ||dL/dh_t||, on any inputs, for every step."""
    N, T, D, H = 4, 30, 3, 5
    bound_factor = S.max_activation_derivative("tanh")
    for seed in range(4):
        rng = np.random.default_rng([seed, int(scale * 10)])
        W_hh = scale * rng.standard_normal((H, H)) / np.sqrt(H)
        sigma_max = np.linalg.norm(W_hh, 2)
        norms = S.gradient_norms_through_time(
            rng.standard_normal((N, T, D)), rng.standard_normal((N, H)),
            rng.standard_normal((H, D)), W_hh, rng.standard_normal(H),
            rng.standard_normal((N, H)))
        ratios = norms[:-1] / norms[1:]                      # one step further back
        assert np.all(ratios <= bound_factor * sigma_max * (1 + 1e-12))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lstm_keeps_the_gradient_where_the_tanh_rnn_loses_it(seed):
    """Seed 003: with forget gates near 1 (bias +5, small weights) the LSTM
    carries the gradient through T = 50 steps, ||dL/dh_1|| > ||dL/dh_T|| / 10,
    while a tanh RNN with sigma_max(W_hh) = 0.9 keeps less than 1/100."""
    curves = gradient_flow_curves(T=50, scales=(0.9,), seed=seed, forget_bias=5.0,
                                  gate_weight_std=0.1)
    rnn, lstm = curves["tanh RNN, W_hh = 0.9 Q"], curves["LSTM, b_f = +5"]
    assert rnn.shape == lstm.shape == (50,)
    assert lstm[0] > lstm[-1] / 10
    assert rnn[0] < rnn[-1] / 100


def test_the_tanh_derivative_belongs_at_h_t_not_h_t_minus_1():
    """Seed 001 writes dh_t/dh_{t-1} = diag(1 - h_{t-1}**2) W_hh; the
    derivative of h_t = tanh(a_t) is taken at h_t. Finite differences side
    with hidden_jacobian, and not with the seed's formula."""
    N, D, H = 1, 2, 3
    rng = np.random.default_rng(3)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    # Moderate weights keep the Jacobian entries large enough to resolve.
    W_xh, W_hh, b_h = (0.5 * rng.standard_normal((H, D)), 0.5 * rng.standard_normal((H, H)),
                       0.5 * rng.standard_normal(H))
    h_next, _ = S.rnn_step_forward(x, h_prev, W_xh, W_hh, b_h)
    numeric = np.stack([
        numerical_gradient(lambda hp, i=i: float(S.rnn_step_forward(x, hp, W_xh, W_hh, b_h)[0][0, i]),
                           h_prev)[0]
        for i in range(H)])
    seed_formula = (1.0 - h_prev[0] ** 2)[:, None] * W_hh
    assert rel_error(S.hidden_jacobian(h_next, W_hh)[0], numeric) < 1e-7
    assert rel_error(seed_formula, numeric) > 1e-2
