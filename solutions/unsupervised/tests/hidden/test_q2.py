import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint("Row j is the mean of the rows of X with label j, for any k and d.")
def test_update_centroids_random(nb):
    rng = np.random.default_rng(201)
    X = rng.normal(size=(90, 3)) * 4
    labels = rng.integers(0, 5, size=90)
    old = rng.normal(size=(5, 3))
    got = np.asarray(nb.function("update_centroids")(X, labels, old), dtype=float)
    assert got.shape == (5, 3), f"expected shape (5, 3), got {got.shape}"
    expected = np.array([X[labels == j].mean(axis=0) for j in range(5)])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "A cluster with no points keeps its centroid as it is (no mean of nothing, no nan, no new "
    "random point); k is len(centroids), even when the highest labels are missing. Do not "
    "change the arrays you are given."
)
def test_update_centroids_empty_cluster(nb):
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [10.0, 10.0]])
    labels = np.array([0, 0, 2, 2])  # clusters 1 and 3 are empty
    old = np.array([[1.0, 1.0], [-7.0, 8.0], [3.0, 3.0], [50.0, -50.0]])
    got = nb.function("update_centroids")(X, labels, old)
    got = np.asarray(got, dtype=float)
    assert got.shape == (4, 2), f"expected shape (4, 2), got {got.shape}"
    np.testing.assert_allclose(got, [[1.0, 2.0], [-7.0, 8.0], [7.0, 7.5], [50.0, -50.0]])


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Integer data (pixel counts, say) have fractional means: build the new centroids as floats, "
    "not with np.zeros_like of integer centroids."
)
def test_update_centroids_integer_inputs(nb):
    X = np.array([[0, 0], [1, 3], [4, 4], [5, 6], [9, 9]])
    labels = np.array([0, 0, 1, 1, 1])
    old = np.array([[0, 0], [5, 5]])
    got = np.asarray(nb.function("update_centroids")(X, labels, old))
    assert np.issubdtype(got.dtype, np.floating), f"expected float centroids, got dtype {got.dtype}"
    np.testing.assert_allclose(got, [[0.5, 1.5], [6.0, 19 / 3]], rtol=1e-12)


def _check_against_sklearn(nb, ref, X, init):
    got = nb.function("kmeans")(X, init)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (centroids, labels, inertia)"
    centroids, labels = np.asarray(got[0], dtype=float), np.asarray(got[1])
    sk = ref.sklearn_from(X, init)
    mine = ref.lloyd(X, init)
    # the reference and scikit-learn agree on these data (labels exactly); the inertia returned
    # is checked on its own (test_kmeans_returns_its_inertia)
    assert centroids.shape == init.shape, (
        f"expected centroids of shape {init.shape}, got {centroids.shape}"
    )
    np.testing.assert_allclose(centroids, sk.cluster_centers_, rtol=1e-7, atol=1e-9,
                               err_msg="centroids, compared with scikit-learn")  # fmt: skip
    np.testing.assert_array_equal(labels, mine[1], err_msg="labels")


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "From the same start, your kmeans must end where scikit-learn's KMeans(init=..., n_init=1, "
    "tol=0) does: same centroids (row j from init row j) and same labels."
)
def test_kmeans_matches_sklearn(nb, ref):
    rng = np.random.default_rng(202)
    centres = rng.normal(scale=4, size=(5, 3))
    X = np.vstack([c + rng.normal(size=(40, 3)) for c in centres])[rng.permutation(200)]
    init = X[rng.choice(200, 5, replace=False)]
    _check_against_sklearn(nb, ref, X, init)


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "The third value kmeans returns is the inertia of its centroids and labels: the SUM over all "
    "points of the squared distance to their centroid, as scikit-learn's inertia_."
)
def test_kmeans_returns_its_inertia(nb, ref):
    rng = np.random.default_rng(204)
    X = rng.normal(size=(120, 2)) * [3.0, 1.0]
    init = X[:3].copy()
    got = nb.function("kmeans")(X, init)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (centroids, labels, inertia)"
    assert np.ndim(got[2]) == 0, "the inertia should be a single number"
    np.testing.assert_allclose(float(got[2]), ref.sklearn_from(X, init).inertia_, rtol=1e-7)


@pytest.mark.points(1)
@pytest.mark.hint(
    "kmeans on other data (5 features, 300 points) from a start given by the grader: it must "
    "agree with scikit-learn from the same start."
)
def test_kmeans_on_hidden_data(nb, ref, segments):
    X, _ = segments
    _check_against_sklearn(nb, ref, X, X[:4].copy())


@pytest.mark.points(1)
@pytest.mark.hint(
    "max_iter caps the number of updates: with max_iter=0 the centroids are the start; with "
    "max_iter=1 one update of the start's clusters. The labels are always the nearest-centroid "
    "labels of the centroids returned."
)
def test_kmeans_max_iter(nb, ref):
    rng = np.random.default_rng(203)
    X = rng.normal(size=(150, 2)) * 3
    init = X[:6].copy()
    kmeans = nb.function("kmeans")
    for max_iter in (0, 1, 3):
        C, labels, _ = ref.lloyd(X, init, max_iter=max_iter)
        got = kmeans(X, init, max_iter=max_iter)
        assert isinstance(got, (tuple, list)) and len(got) == 3, "return (centroids, labels, ...)"
        np.testing.assert_allclose(np.asarray(got[0], dtype=float), C, rtol=1e-9, atol=1e-12,
                                   err_msg=f"centroids with max_iter={max_iter}")  # fmt: skip
        np.testing.assert_array_equal(np.asarray(got[1]), labels,
                                      err_msg=f"labels with max_iter={max_iter}")  # fmt: skip


@pytest.mark.points(0.5)
@pytest.mark.hint("centroids_blobs, labels_blobs come from kmeans(X_blobs, C0).")
def test_blobs_run(nb, ref):
    X, C0 = ref.blobs()
    C, labels, _ = ref.lloyd(X, C0)
    np.testing.assert_allclose(np.asarray(nb["centroids_blobs"], dtype=float), C, rtol=1e-9)
    np.testing.assert_array_equal(np.asarray(nb["labels_blobs"]), labels)
