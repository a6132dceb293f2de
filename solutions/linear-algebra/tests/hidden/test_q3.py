import numpy as np
import pytest
import scipy.linalg


def _upper(n, seed):
    rng = np.random.default_rng(seed)
    U = np.triu(rng.normal(size=(n, n)))
    U[np.diag_indices(n)] = rng.uniform(1.0, 3.0, size=n) * rng.choice([-1.0, 1.0], size=n)
    return U, rng.normal(size=n)


@pytest.mark.points(1.5)
@pytest.mark.hint("Loop i from n-1 down to 0 and use the x values you have already computed.")
def test_back_substitution_random(nb):
    U, c = _upper(25, 31)
    got = np.asarray(nb.function("back_substitution")(U, c))
    assert got.shape == (25,), f"expected shape (25,), got {got.shape}"
    np.testing.assert_allclose(got, scipy.linalg.solve_triangular(U, c), rtol=1e-8, atol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Only read U[i, i] and U[i, i+1:]: entries below the diagonal must be ignored "
    "(a general solver such as np.linalg.solve would use them)."
)
def test_back_substitution_ignores_lower_triangle(nb):
    U, c = _upper(6, 32)
    junk = U + np.tril(np.random.default_rng(33).normal(size=(6, 6)), k=-1)
    got = np.asarray(nb.function("back_substitution")(junk, c))
    np.testing.assert_allclose(got, scipy.linalg.solve_triangular(U, c), rtol=1e-8, atol=1e-10)


@pytest.mark.points(0.5)
@pytest.mark.hint("A 1 x 1 system is x = c / U[0, 0]: make sure your loop covers it.")
def test_back_substitution_one_by_one(nb):
    got = np.asarray(nb.function("back_substitution")(np.array([[-4.0]]), np.array([2.0])))
    np.testing.assert_allclose(np.ravel(got), [-0.5], rtol=1e-12)


@pytest.mark.points(1.5)
@pytest.mark.hint("A = QR with Q orthogonal, so A x = b becomes R x = Q.T @ b.")
def test_solve_qr_random_systems(nb):
    solve_qr = nb.function("solve_qr")
    rng = np.random.default_rng(34)
    for n in (2, 10, 40):
        A = rng.normal(size=(n, n)) + n * np.eye(n)
        b = rng.normal(size=n)
        got = np.asarray(solve_qr(A, b))
        assert got.shape == (n,), f"expected shape ({n},), got {got.shape}"
        np.testing.assert_allclose(got, np.linalg.solve(A, b), rtol=1e-8, atol=1e-10)
        res = np.linalg.norm(A @ got - b) / np.linalg.norm(b)
        assert res < 1e-12, f"relative residual {res:.1e} is too large for a {n}x{n} system"


@pytest.mark.points(1)
@pytest.mark.hint(
    "relative_residual measures the x it is given: ||A @ x - b|| / ||b||; do not re-solve."
)
def test_relative_residual_of_inexact_solution(nb):
    rng = np.random.default_rng(35)
    A, b = rng.normal(size=(8, 8)), rng.normal(size=8)
    x = np.linalg.solve(A, b) + 1e-3 * rng.normal(size=8)
    got = nb.function("relative_residual")(A, x, b)
    assert np.ndim(got) == 0, "relative_residual must return a single number"
    expected = np.sqrt(np.sum((A @ x - b) ** 2)) / np.sqrt(np.sum(b**2))
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)


@pytest.mark.points(0.5)
@pytest.mark.hint("The residual of the exact solution is 0 (up to rounding).")
def test_relative_residual_of_exact_solution(nb):
    A = np.array([[2.0, 0.0], [0.0, 5.0]])
    got = nb.function("relative_residual")(A, np.array([1.0, 1.0]), np.array([2.0, 5.0]))
    assert np.ndim(got) == 0, "relative_residual must return a single number"
    assert abs(float(got)) < 1e-15, f"expected 0, got {got}"
