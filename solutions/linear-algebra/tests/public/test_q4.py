import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint("Column j is x**j for j = 0..degree, the constant column first.")
def test_design_matrix_example(nb):
    got = np.asarray(nb.function("design_matrix")(np.array([1.0, 2.0, 3.0]), 2))
    assert got.shape == (3, 3), f"expected shape (3, 3), got {got.shape}"
    np.testing.assert_allclose(got, [[1, 1, 1], [1, 2, 4], [1, 3, 9]], rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("Solve (X.T @ X) c = X.T @ y with np.linalg.solve.")
def test_fit_normal_equations_exact_line(nb):
    x = np.array([0.0, 1.0, 2.0, 3.0])
    got = np.asarray(nb.function("fit_normal_equations")(x, 2.0 + 3.0 * x, 1))
    np.testing.assert_allclose(got, [2.0, 3.0], rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint("coef, *_ = np.linalg.lstsq(design_matrix(x, degree), y, rcond=None).")
def test_fit_lstsq_exact_line(nb):
    x = np.array([0.0, 1.0, 2.0, 3.0])
    got = np.asarray(nb.function("fit_lstsq")(x, 2.0 + 3.0 * x, 1))
    np.testing.assert_allclose(got, [2.0, 3.0], rtol=1e-9)
