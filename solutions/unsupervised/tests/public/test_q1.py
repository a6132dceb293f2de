import numpy as np
import pytest

# Three points and two centroids; the point (1, 1) is exactly as far from both centroids.
X = np.array([[0.0, 0.0], [1.0, 1.0], [4.0, 1.0]])
C = np.array([[0.0, 0.0], [2.0, 2.0]])


@pytest.mark.points(1)
@pytest.mark.hint(
    "Entry [i, j] is the squared distance from row i of X to row j of centroids: shape (n, k), "
    "squared (no square root)."
)
def test_squared_distances_example(nb):
    got = np.asarray(nb.function("squared_distances")(X, C), dtype=float)
    expected = np.array([[0.0, 8.0], [2.0, 2.0], [17.0, 5.0]])
    assert got.shape == (3, 2), f"expected shape (3, 2), got {got.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "The label is the column of the smallest squared distance (np.argmin along axis 1): an "
    "integer array of shape (n,). On a tie, the lower index wins."
)
def test_assign_clusters_example(nb):
    got = np.asarray(nb.function("assign_clusters")(X, C))
    assert got.shape == (3,), f"expected shape (3,), got {got.shape}"
    assert np.issubdtype(got.dtype, np.integer), f"expected integer labels, got dtype {got.dtype}"
    np.testing.assert_array_equal(got, [0, 0, 1])


@pytest.mark.points(1)
@pytest.mark.hint(
    "Add up, over ALL points, the squared distance to the centroid of the point's own cluster: "
    "a sum, not a mean, of squared distances, not distances."
)
def test_inertia_example(nb):
    got = nb.function("inertia")(X, C, np.array([0, 0, 1]))
    assert np.ndim(got) == 0, "inertia must return a single number"
    # 0 for the first point, 2 for the second, 5 for the third
    np.testing.assert_allclose(float(got), 7.0, rtol=1e-12)
