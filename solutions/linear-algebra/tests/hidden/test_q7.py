import numpy as np
import pytest
import scipy.linalg


@pytest.mark.points(1.5)
@pytest.mark.hint("Use the largest and smallest singular values, not eigenvalues or entries.")
def test_condition_number_random_matrices(nb):
    condition_number = nb.function("condition_number")
    rng = np.random.default_rng(71)
    for shape in ((4, 4), (10, 10), (6, 3)):
        A = rng.normal(size=shape)
        got = condition_number(A)
        assert np.ndim(got) == 0, "condition_number must return a single number"
        np.testing.assert_allclose(float(got), np.linalg.cond(A), rtol=1e-8, err_msg=str(shape))


@pytest.mark.points(0.5)
@pytest.mark.hint("An orthogonal matrix has all singular values 1: its condition number is 1.")
def test_condition_number_orthogonal(nb):
    Q, _ = np.linalg.qr(np.random.default_rng(72).normal(size=(6, 6)))
    np.testing.assert_allclose(float(nb.function("condition_number")(Q)), 1.0, rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "A singular matrix has sigma_min = 0 (or about 1e-16 after rounding): return np.inf, "
    "or let the huge ratio through, but do not return a small number or nan."
)
def test_condition_number_singular(nb):
    condition_number = nb.function("condition_number")
    for A in (np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[1.0, 2.0], [0.0, 0.0]])):
        got = float(condition_number(A))
        assert not np.isnan(got), "condition number of a singular matrix came out nan"
        assert got > 1e15, (
            f"a singular matrix must have a huge (or infinite) condition number, got {got}"
        )


@pytest.mark.points(1)
@pytest.mark.hint("Build H from broadcast index arrays: i[:, None] + i[None, :] + 1.")
def test_hilbert_matches_scipy(nb):
    hilbert = nb.function("hilbert")
    for n in (1, 2, 7, 12):
        got = np.asarray(hilbert(n))
        assert got.shape == (n, n), f"expected shape ({n}, {n}), got {got.shape}"
        np.testing.assert_allclose(got, scipy.linalg.hilbert(n), rtol=1e-12, err_msg=f"n={n}")
