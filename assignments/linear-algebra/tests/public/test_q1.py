import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "Divide each row by its Euclidean norm: np.linalg.norm(X, axis=1, keepdims=True) "
    "has shape (n, 1) and broadcasts against X."
)
def test_normalize_rows_example(nb):
    got = np.asarray(nb.function("normalize_rows")(np.array([[3.0, 4.0], [1.0, 0.0]])))
    assert got.shape == (2, 2), f"expected shape (2, 2), got {got.shape}"
    np.testing.assert_allclose(got, [[0.6, 0.8], [1.0, 0.0]], rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "A row of zeros has norm 0: divide by 1 instead (np.where(norms == 0, 1.0, norms)), "
    "so the row stays zero instead of becoming nan."
)
def test_normalize_rows_keeps_zero_row(nb):
    got = np.asarray(nb.function("normalize_rows")(np.array([[0.0, 0.0], [-1.0, 1.0]])))
    assert not np.isnan(got).any(), "a zero row produced nan: do not divide by a zero norm"
    np.testing.assert_allclose(got[0], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(got[1], np.array([-1.0, 1.0]) / np.sqrt(2), rtol=1e-7)


@pytest.mark.points(1)
@pytest.mark.hint("With unit rows U = normalize_rows(X), the cosine similarities are U @ U.T.")
def test_cosine_similarity_example(nb):
    X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, -2.0]])
    got = np.asarray(nb.function("cosine_similarity_matrix")(X))
    r = 1 / np.sqrt(2)
    expected = [[1.0, r, 0.0], [r, 1.0, -r], [0.0, -r, 1.0]]
    assert got.shape == (3, 3), f"expected shape (3, 3), got {got.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-12)
