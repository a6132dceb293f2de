import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import normalize


@pytest.mark.points(2)
@pytest.mark.hint("Divide every row by its own Euclidean (L2) norm.")
def test_normalize_rows_random_matches_sklearn(nb):
    X = np.random.default_rng(11).normal(scale=5.0, size=(40, 7))
    got = np.asarray(nb.function("normalize_rows")(X))
    assert got.shape == X.shape, f"expected shape {X.shape}, got {got.shape}"
    np.testing.assert_allclose(got, normalize(X, norm="l2"), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, rtol=1e-7)


@pytest.mark.points(1)
@pytest.mark.hint("All-zero rows must stay zero (and no nan) wherever they are in X.")
def test_normalize_rows_several_zero_rows(nb):
    X = np.random.default_rng(12).normal(size=(6, 4))
    X[[0, 3, 5]] = 0.0
    got = np.asarray(nb.function("normalize_rows")(X))
    assert not np.isnan(got).any(), "zero rows produced nan"
    np.testing.assert_allclose(got, normalize(X, norm="l2"), rtol=1e-7, atol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint("Convert the input to float: an integer matrix must give float unit rows.")
def test_normalize_rows_integer_input(nb):
    got = np.asarray(nb.function("normalize_rows")(np.array([[1, 2, 2], [0, 0, 5]])))
    np.testing.assert_allclose(got, [[1 / 3, 2 / 3, 2 / 3], [0.0, 0.0, 1.0]], rtol=1e-7)


@pytest.mark.points(0.5)
@pytest.mark.hint("A matrix with no rows, shape (0, d), must come back with shape (0, d).")
def test_normalize_rows_no_rows(nb):
    got = np.asarray(nb.function("normalize_rows")(np.zeros((0, 3))))
    assert got.shape == (0, 3), f"expected shape (0, 3), got {got.shape}"


@pytest.mark.points(2)
@pytest.mark.hint(
    "S[i, j] is the cosine of the angle between rows i and j; rows of zeros give 0, "
    "which normalize_rows already arranges."
)
def test_cosine_similarity_matches_sklearn(nb):
    X = np.random.default_rng(13).normal(size=(9, 5))
    X[4] = 0.0
    got = np.asarray(nb.function("cosine_similarity_matrix")(X))
    assert got.shape == (9, 9), f"expected shape (9, 9), got {got.shape}"
    np.testing.assert_allclose(got, cosine_similarity(X), rtol=1e-7, atol=1e-12)
