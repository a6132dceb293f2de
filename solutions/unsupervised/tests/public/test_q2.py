import numpy as np
import pytest
from sklearn.datasets import make_blobs


@pytest.mark.points(1)
@pytest.mark.hint(
    "Row j of the result is the mean (over the rows, axis=0) of the points with label j: shape "
    "(k, d), like the centroids."
)
def test_update_centroids_example(nb):
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0], [12.0, 11.0], [11.0, 12.0]])
    labels = np.array([0, 0, 1, 1, 1])
    old = np.array([[5.0, 5.0], [6.0, 6.0]])
    got = np.asarray(nb.function("update_centroids")(X, labels, old), dtype=float)
    assert got.shape == (2, 2), f"expected shape (2, 2), got {got.shape}"
    np.testing.assert_allclose(got, [[1.0, 0.0], [11.0, 11.0]], rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Assign, then repeat update + assign until the labels no longer change. Return (centroids, "
    "labels, inertia), with the labels of the returned centroids."
)
def test_kmeans_one_dimensional(nb):
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    got = nb.function("kmeans")(X, np.array([[0.0], [1.0]]))
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (centroids, labels, inertia)"
    centroids, labels, _ = got
    # start: {0} and {1, 2, 10, 11, 12} -> centroids 0 and 7.2 -> {0, 1, 2} and {10, 11, 12}
    np.testing.assert_allclose(np.asarray(centroids, dtype=float), [[1.0], [11.0]], rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(labels), [0, 0, 0, 1, 1, 1])


@pytest.mark.points(1)
@pytest.mark.hint(
    "sk_blobs = KMeans(n_clusters=4, init=C0, n_init=1, tol=0).fit(X_blobs): the same start as "
    "your kmeans, so the same centroids; max_centroid_gap is the largest absolute difference "
    "between sk_blobs.cluster_centers_ and your centroids_blobs (a tiny number)."
)
def test_same_as_sklearn_from_C0(nb):
    X, _ = make_blobs(n_samples=400, centers=4, cluster_std=1.2, random_state=7)
    sk = nb["sk_blobs"]
    assert getattr(sk, "class_name", None) == "KMeans", "sk_blobs should be a fitted KMeans"
    init = np.asarray(sk.params.get("init"), dtype=object)
    assert init.shape == (4, 2) and np.allclose(init.astype(float), X[:4]), (
        "sk_blobs must start from C0 (init=C0)"
    )
    centers = np.asarray(sk.cluster_centers_, dtype=float)
    mine = np.asarray(nb["centroids_blobs"], dtype=float)
    assert mine.shape == (4, 2), f"centroids_blobs: expected shape (4, 2), got {mine.shape}"
    gap = float(nb["max_centroid_gap"])
    np.testing.assert_allclose(gap, np.max(np.abs(centers - mine)), atol=1e-12,
                               err_msg="max_centroid_gap")  # fmt: skip
    assert gap < 1e-8, f"your centroids differ from scikit-learn's by {gap:.3g}"
