import numpy as np
import pytest

A = np.array([[2.0, 0.0], [0.0, 4.0]])
B = np.array([1.0, 1.0])
X = np.array([1.0, 2.0])


@pytest.mark.points(1)
@pytest.mark.hint("f(x) = 0.5 * x @ A @ x - b @ x, returned as one number.")
def test_quadratic_value(nb):
    got = nb.function("quadratic")(X, A, B)
    assert np.ndim(got) == 0, "quadratic must return a single number"
    np.testing.assert_allclose(float(got), 6.0, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("For a symmetric A the gradient is A @ x - b.")
def test_quadratic_grad_symmetric(nb):
    got = np.asarray(nb.function("quadratic_grad")(X, A, B), dtype=float)
    assert got.shape == (2,), f"expected shape (2,), got {got.shape}"
    np.testing.assert_allclose(got, [1.0, 7.0], rtol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint("For a symmetric A the Hessian is A itself.")
def test_quadratic_hessian_symmetric(nb):
    got = np.asarray(nb.function("quadratic_hessian")(A), dtype=float)
    assert got.shape == (2, 2), f"expected shape (2, 2), got {got.shape}"
    np.testing.assert_allclose(got, A, rtol=1e-12)
