"""Do the finite-difference helpers of autograder.gradcheck measure what they claim?"""

import numpy as np
import pytest

from autograder.gradcheck import (
    directional_check,
    numerical_gradient,
    numerical_gradient_array,
    numerical_gradients,
    random_unit_direction,
    rel_error,
)


# ---------------------------------------------------------------- rel_error
def test_rel_error_is_the_worst_elementwise_cs231n_ratio():
    """Is it max |a - b| / max(1e-8, |a| + |b|) over the elements?"""
    a = np.array([1.0, 2.0, -3.0, 0.0])
    b = np.array([1.1, 2.0, -3.0, 0.0])
    assert rel_error(a, b) == pytest.approx(0.1 / 2.1, rel=1e-15)
    # Elementwise, not a ratio of whole-array norms: one bad small element
    # dominates even when the big ones agree.
    a = np.array([1e3, 1e-3])
    b = np.array([1e3, 2e-3])
    assert rel_error(a, b) == pytest.approx(1e-3 / 3e-3, rel=1e-12)


def test_rel_error_floors_the_denominator_at_1e_minus_8():
    """Are two values that are both near zero compared in absolute terms?"""
    assert rel_error(np.array([0.0]), np.array([0.0])) == 0.0
    assert rel_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)


def test_rel_error_is_symmetric_and_zero_for_equal_arrays():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert rel_error(a, b) == rel_error(b, a)
    assert rel_error(a, a.copy()) == 0.0


@pytest.mark.parametrize("shapes", [((3, 1), (1, 3)), ((3,), (3, 1)), ((2, 2), (4,))],
                         ids=["3x1-vs-1x3", "3-vs-3x1", "2x2-vs-4"])
def test_rel_error_refuses_to_broadcast(shapes):
    """Does a shape mismatch raise instead of broadcasting into a wrong answer?"""
    with pytest.raises(ValueError):
        rel_error(np.zeros(shapes[0]), np.zeros(shapes[1]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_rel_error_of_non_finite_values_is_inf(bad):
    """Is NaN or inf anywhere reported as an infinite error (never as a pass)?"""
    a = np.array([1.0, bad])
    b = np.array([1.0, 2.0])
    assert rel_error(a, b) == np.inf
    assert rel_error(b, a) == np.inf
    assert rel_error(a, a) == np.inf


# ------------------------------------------------------ numerical gradients
def test_numerical_gradient_of_sum_of_squares_is_2x():
    x = np.linspace(-2.0, 3.0, 12).reshape(3, 4)
    grad = numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-9, atol=1e-9)


def test_numerical_gradient_of_a_matrix_product_sum():
    """d/dA sum(A @ B) = 1 @ B.T, that is every row of A gets B's row sums."""
    A = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    B = np.linspace(0.5, 2.0, 12).reshape(3, 4)
    grad = numerical_gradient(lambda a: float(np.sum(a @ B)), A)
    expected = np.ones((2, 4)) @ B.T
    np.testing.assert_allclose(grad, expected, rtol=1e-9)


def test_numerical_gradient_array_uses_the_upstream_gradient():
    """For f(x) = x**3 and L = sum(f(x) * dout), is the gradient 3 x**2 dout?"""
    x = np.linspace(-1.0, 1.0, 5)
    dout = np.linspace(2.0, -2.0, 5)
    grad = numerical_gradient_array(lambda v: v ** 3, x, dout)
    np.testing.assert_allclose(grad, 3 * x ** 2 * dout, rtol=1e-8, atol=1e-10)


def test_numerical_gradients_of_a_dict():
    point = {"a": np.array([1.0, -2.0]), "b": np.array([[0.5]])}
    grads = numerical_gradients(lambda p: float(np.sum(p["a"] ** 2) * p["b"][0, 0]), point)
    np.testing.assert_allclose(grads["a"], 2 * point["a"] * 0.5, rtol=1e-9)
    np.testing.assert_allclose(grads["b"], [[5.0]], rtol=1e-9)


def test_integer_input_gets_a_float_gradient():
    """An integer array must not truncate x + h back to x."""
    grad = numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1, 2, 3]))
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], rtol=1e-9)


# ------------------------------------------- the caller's arrays stay intact
def test_numerical_gradient_never_hands_out_or_changes_the_callers_array():
    """Is the caller's array untouched even during the call, and is the loss
    never given the caller's array (which it could keep or modify)?"""
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    original = x.copy()
    seen = []

    def loss(v):
        assert not np.shares_memory(v, x)
        assert np.array_equal(x, original)          # not perturbed, even for a moment
        seen.append(v)
        return float(np.sum(v ** 2))

    numerical_gradient(loss, x)
    assert np.array_equal(x, original)
    # Each evaluation gets its own array: no two calls share one buffer.
    assert not any(np.shares_memory(seen[i], seen[i + 1]) for i in range(len(seen) - 1))


def test_a_loss_that_modifies_its_input_does_not_corrupt_numerical_gradient():
    x = np.array([1.0, -2.0, 0.5])

    def careless_loss(v):
        value = float(np.sum(v ** 2))
        v *= 10.0                                    # in place, like a careless student
        return value

    np.testing.assert_allclose(numerical_gradient(careless_loss, x), 2 * x, rtol=1e-9)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])


def test_numerical_gradients_never_hand_out_or_change_the_callers_arrays():
    point = {"a": np.array([1.0, 2.0]), "b": np.array([[3.0, -1.0]])}
    originals = {k: v.copy() for k, v in point.items()}

    def loss(p):
        for name, v in p.items():
            assert not np.shares_memory(v, point[name])
            assert np.array_equal(point[name], originals[name])
        return float(np.sum(p["a"] ** 2) + np.sum(p["a"][:, None] * p["b"]))

    grads = numerical_gradients(loss, point)
    for name in point:
        np.testing.assert_array_equal(point[name], originals[name])
    np.testing.assert_allclose(grads["a"], 2 * point["a"] + point["b"].sum(), rtol=1e-9)
    np.testing.assert_allclose(grads["b"], np.full((1, 2), point["a"].sum()), rtol=1e-9)


def test_a_loss_that_modifies_its_inputs_does_not_corrupt_numerical_gradients():
    """Does every evaluation see the true point, even if an earlier one
    modified the arrays it was given (every entry, not just the perturbed one)?"""
    point = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}

    def careless_loss(p):
        value = float(np.sum(p["a"] ** 2) + np.sum(p["b"] ** 2))
        for v in p.values():
            v *= 2.0
        return value

    grads = numerical_gradients(careless_loss, point)
    np.testing.assert_allclose(grads["a"], [2.0, 4.0], rtol=1e-9)
    np.testing.assert_allclose(grads["b"], [6.0], rtol=1e-9)
    np.testing.assert_array_equal(point["a"], [1.0, 2.0])
    np.testing.assert_array_equal(point["b"], [3.0])


def test_directional_check_leaves_the_callers_arrays_alone():
    point = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
    originals = {k: v.copy() for k, v in point.items()}

    def loss(p):
        for name, v in p.items():
            assert not np.shares_memory(v, point[name])
            v += 1.0                                  # must not reach the caller's arrays
        return float(np.sum(p["a"]) * p["b"][0])

    grads = {"a": np.full(2, 3.0), "b": np.array([3.0])}
    numeric, analytic = directional_check(loss, point, grads, np.random.default_rng(0))
    for name in point:
        np.testing.assert_array_equal(point[name], originals[name])
    assert np.isfinite(numeric) and np.isfinite(analytic)


# ------------------------------------------------------- directional check
def _quadratic_loss(p):
    return float(np.sum(p["W"] ** 2) + np.sum(p["W"] @ p["v"]) + 3.0 * np.sum(p["v"]))


def _quadratic_point():
    return {"W": np.linspace(-1.0, 1.0, 6).reshape(2, 3), "v": np.linspace(0.5, 1.5, 3)}


def _quadratic_grads(p):
    # d/dW = 2W + 1 v^T ; d/dv = W^T 1 + 3
    return {"W": 2 * p["W"] + np.ones((2, 1)) * p["v"][None, :],
            "v": p["W"].sum(axis=0) + 3.0}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_directional_check_agrees_for_a_correct_gradient(seed):
    point = _quadratic_point()
    numeric, analytic = directional_check(_quadratic_loss, point, _quadratic_grads(point),
                                          np.random.default_rng(seed))
    assert rel_error(np.array(numeric), np.array(analytic)) < 1e-8


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_directional_check_disagrees_for_a_wrong_gradient(seed):
    """A transposed-style mistake (the v-gradient forgotten) is caught."""
    point = _quadratic_point()
    wrong = _quadratic_grads(point)
    wrong["v"] = wrong["v"] - point["W"].sum(axis=0)
    numeric, analytic = directional_check(_quadratic_loss, point, wrong,
                                          np.random.default_rng(seed))
    assert rel_error(np.array(numeric), np.array(analytic)) > 1e-3


def test_random_unit_direction_has_unit_joint_norm_and_the_shapes():
    arrays = {"a": np.zeros((2, 3)), "b": np.zeros(4), "c": np.zeros(())}
    u = random_unit_direction(arrays, np.random.default_rng(0))
    assert {k: v.shape for k, v in u.items()} == {k: v.shape for k, v in arrays.items()}
    total = np.sqrt(sum(float(np.sum(v ** 2)) for v in u.values()))
    assert total == pytest.approx(1.0, abs=1e-12)
