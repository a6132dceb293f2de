import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "squared_distances(X, centroids) has one row per point and one column per centroid, for any "
    "n, k and d, including a single centroid."
)
def test_squared_distances_random(nb, ref):
    rng = np.random.default_rng(101)
    squared_distances = nb.function("squared_distances")
    for n, k, d in ((50, 6, 3), (7, 1, 4), (1, 5, 2)):
        X, C = rng.normal(size=(n, d)) * 3, rng.normal(size=(k, d))
        got = np.asarray(squared_distances(X, C), dtype=float)
        assert got.shape == (n, k), f"n={n}, k={k}, d={d}: expected shape {(n, k)}, got {got.shape}"
        np.testing.assert_allclose(got, ref.squared_distances(X, C), rtol=1e-9, atol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint("Each point goes to the centroid at the smallest distance, in any dimension d.")
def test_assign_clusters_random(nb, ref):
    rng = np.random.default_rng(102)
    X, C = rng.normal(size=(200, 3)) * 2, rng.normal(size=(6, 3))
    got = np.asarray(nb.function("assign_clusters")(X, C))
    assert got.shape == (200,), f"expected shape (200,), got {got.shape}"
    assert np.issubdtype(got.dtype, np.integer), f"expected integer labels, got dtype {got.dtype}"
    np.testing.assert_array_equal(got, np.argmin(ref.squared_distances(X, C), axis=1))


@pytest.mark.points(0.5)
@pytest.mark.hint("On a tie (two centroids exactly as near), the lower centroid index wins.")
def test_assign_clusters_ties(nb):
    # integer coordinates: every distance is exact, so the ties are real ties
    X = np.array([[0, 0], [2, 0], [1, 5], [2, 2]])
    C = np.array([[1, 0], [-1, 0], [1, 3], [3, 0], [1, 1]])
    got = np.asarray(nb.function("assign_clusters")(X, C))
    # (0, 0): centroids 0 and 1 tie at 1; (2, 0): 0 and 3 tie at 1; (2, 2): 2 and 4 tie at 2
    np.testing.assert_array_equal(got, [0, 0, 2, 2])


@pytest.mark.points(1)
@pytest.mark.hint(
    "inertia uses the labels it is given (they need not be the nearest centroids): the sum of "
    "squared distances from each point to centroids[labels[i]]."
)
def test_inertia_uses_the_given_labels(nb, ref):
    rng = np.random.default_rng(103)
    X, C = rng.normal(size=(120, 4)), rng.normal(size=(5, 4))
    labels = rng.integers(0, 5, size=120)  # not the nearest centroids
    got = nb.function("inertia")(X, C, labels)
    assert np.ndim(got) == 0, "inertia must return a single number"
    expected = sum(np.sum((x - C[j]) ** 2) for x, j in zip(X, labels, strict=True))
    np.testing.assert_allclose(float(got), expected, rtol=1e-9)


@pytest.mark.points(0.5)
@pytest.mark.hint("inertia0 is the inertia of C0 on X_blobs with the labels assign_clusters gives.")
def test_inertia0(nb, ref):
    X, C0 = ref.blobs()
    expected = float(np.sum(np.min(ref.squared_distances(X, C0), axis=1)))
    got = nb["inertia0"]
    assert np.ndim(got) == 0, "inertia0 should be a single number"
    np.testing.assert_allclose(float(got), expected, rtol=1e-9)
