import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint("Go from the last row up: x[i] = (c[i] - U[i, i+1:] @ x[i+1:]) / U[i, i].")
def test_back_substitution_example(nb):
    U = np.array([[2.0, 1.0, -1.0], [0.0, 3.0, 2.0], [0.0, 0.0, 4.0]])
    c = np.array([3.0, 13.0, 8.0])  # the solution is [1, 3, 2]
    got = np.asarray(nb.function("back_substitution")(U, c))
    assert got.shape == (3,), f"expected shape (3,), got {got.shape}"
    np.testing.assert_allclose(got, [1.0, 3.0, 2.0], rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("Q, R = np.linalg.qr(A); then solve R x = Q.T @ b with back_substitution.")
def test_solve_qr_example(nb):
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    b = np.array([1.0, 2.0, 3.0])
    got = np.asarray(nb.function("solve_qr")(A, b))
    np.testing.assert_allclose(got, np.linalg.solve(A, b), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("np.linalg.norm(A @ x - b) / np.linalg.norm(b), returned as a float.")
def test_relative_residual_example(nb):
    A = np.eye(2)
    got = nb.function("relative_residual")(A, np.array([3.0, 4.0]), np.array([3.0, 0.0]))
    assert isinstance(got, float), f"expected a float, got {type(got).__name__}"
    np.testing.assert_allclose(got, 4.0 / 3.0, rtol=1e-10)
