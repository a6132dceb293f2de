import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "Return every iterate, x0 first: an array of shape (n_steps + 1, d). With f(x) = x^2 and "
    "lr = 0.25 each step halves x."
)
def test_gradient_descent_halving(nb):
    got = nb.eval("gradient_descent(lambda x: 2 * x, x0, 0.25, 3)", x0=np.array([8.0]))
    got = np.asarray(got, dtype=float)
    assert got.shape == (4, 1), f"expected shape (4, 1), got {got.shape}"
    np.testing.assert_allclose(got.ravel(), [8.0, 4.0, 2.0, 1.0], rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("2 divided by the LARGEST eigenvalue of A.")
def test_largest_stable_lr_diagonal(nb):
    got = nb.function("largest_stable_lr")(np.diag([1.0, 4.0]))
    assert np.ndim(got) == 0, "largest_stable_lr must return a single number"
    np.testing.assert_allclose(float(got), 0.5, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Recompute the gradient A @ x - b after every step, count the steps, and stop at max_steps: "
    "with lr = 1 on f(x) = x^2 - 2x the iterates jump between 0 and 2 for ever."
)
def test_steps_to_tolerance_one_dimensional(nb):
    steps_to_tolerance = nb.function("steps_to_tolerance")
    A, b = np.array([[2.0]]), np.array([2.0])
    # x_k = 1 - 0.5**k, so ||A x_k - b|| = 2 * 0.5**k <= 1e-3 first at k = 11
    got = steps_to_tolerance(A, b, 0.25, tol=1e-3, max_steps=100)
    assert got == 11, f"expected 11 steps, got {got}"
    got = steps_to_tolerance(A, b, 1.0, tol=1e-3, max_steps=100)
    assert got == -1, f"lr = 1.0 never converges here: expected -1, got {got}"
