import numpy as np
import pytest


@pytest.mark.points(2)
@pytest.mark.hint(
    "A_k = (U[:, :k] * s[:k]) @ Vt[:k]: it has rank k and ||A - A_k||_F = sqrt(sum(s[k:]**2))."
)
def test_low_rank_approx_eckart_young(nb):
    low_rank_approx = nb.function("low_rank_approx")
    A = np.random.default_rng(61).normal(size=(12, 7))
    s = np.linalg.svd(A, compute_uv=False)
    for k in (1, 3, 6):
        got = np.asarray(low_rank_approx(A, k))
        assert got.shape == A.shape, f"expected shape {A.shape}, got {got.shape}"
        assert np.linalg.matrix_rank(got) == k, f"the rank-{k} approximation has another rank"
        np.testing.assert_allclose(
            np.linalg.norm(A - got),
            np.sqrt(np.sum(s[k:] ** 2)),
            rtol=1e-8,
            err_msg=f"k={k}: not the best rank-k approximation",
        )


@pytest.mark.points(1)
@pytest.mark.hint("With full_matrices=False the SVD also works for wide matrices (more columns).")
def test_low_rank_approx_wide_matrix(nb):
    A = np.random.default_rng(62).normal(size=(4, 9))
    got = np.asarray(nb.function("low_rank_approx")(A, 2))
    U, s, Vt = np.linalg.svd(A)
    np.testing.assert_allclose(got, U[:, :2] @ np.diag(s[:2]) @ Vt[:2], atol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "k = 0 keeps nothing (the zero matrix); k = min(m, n) keeps everything (A itself)."
)
def test_low_rank_approx_extreme_ranks(nb):
    low_rank_approx = nb.function("low_rank_approx")
    A = np.random.default_rng(63).normal(size=(5, 3))
    np.testing.assert_allclose(np.asarray(low_rank_approx(A, 0)), np.zeros((5, 3)), atol=1e-12)
    np.testing.assert_allclose(np.asarray(low_rank_approx(A, 3)), A, atol=1e-10)


@pytest.mark.points(2)
@pytest.mark.hint("energy_rank must return the SMALLEST k whose cumulative energy reaches frac.")
def test_energy_rank_random_matrices(nb):
    energy_rank = nb.function("energy_rank")
    rng = np.random.default_rng(64)
    A = rng.normal(size=(30, 10)) @ np.diag(2.0 ** -np.arange(10)) @ rng.normal(size=(10, 10))
    # squared singular values as eigenvalues of A^T A: an independent route
    energy = np.sort(np.linalg.eigvalsh(A.T @ A))[::-1]
    kept = np.cumsum(energy) / energy.sum()
    for frac in (0.3, 0.8, 0.95, 0.999):
        expected = int(np.argmax(kept >= frac)) + 1
        got = energy_rank(A, frac)
        assert isinstance(got, (int, np.integer)), f"expected an int, got {type(got).__name__}"
        assert got == expected, f"frac={frac}: expected k={expected}, got {got}"


@pytest.mark.points(0.5)
@pytest.mark.hint("A rank-one matrix keeps all its energy in the first singular value.")
def test_energy_rank_rank_one(nb):
    A = np.outer(np.arange(1.0, 6.0), np.array([2.0, -1.0, 0.5]))
    got = nb.function("energy_rank")(A, 0.99)
    assert isinstance(got, (int, np.integer)), f"expected an int, got {type(got).__name__}"
    assert got == 1, f"expected k=1, got {got}"
