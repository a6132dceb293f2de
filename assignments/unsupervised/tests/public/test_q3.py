import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs


def _blobs():
    X, _ = make_blobs(n_samples=400, centers=4, cluster_std=1.2, random_state=7)
    return X


@pytest.mark.points(1)
@pytest.mark.hint(
    "kmeans_pp_init returns k DIFFERENT rows of X, shape (k, d), and the same seed must give the "
    "same rows (make the generator from the seed inside the function)."
)
def test_kmeans_pp_init_rows(nb):
    X = _blobs()
    init = nb.function("kmeans_pp_init")
    got = np.asarray(init(X, 4, 3), dtype=float)
    assert got.shape == (4, 2), f"expected shape (4, 2), got {got.shape}"
    rows = [int(np.argmin(np.sum((X - c) ** 2, axis=1))) for c in got]
    np.testing.assert_array_equal(got, X[rows], err_msg="every centroid must be a row of X")
    assert len(set(rows)) == 4, f"some rows were chosen twice: {rows}"
    again = np.asarray(init(X, 4, 3), dtype=float)
    np.testing.assert_array_equal(got, again, err_msg="the same seed gave different rows")


@pytest.mark.points(1)
@pytest.mark.hint(
    "Keep the run with the lowest inertia among n_init runs of kmeans from k-means++ starts: on "
    "X_blobs, 10 of them find the best clustering scikit-learn finds."
)
def test_kmeans_best_of_blobs(nb):
    X = _blobs()
    got = nb.function("kmeans_best_of")(X, 4, n_init=10, seed=0)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (centroids, labels, inertia)"
    centroids = np.asarray(got[0], dtype=float)
    labels = np.asarray(got[1])
    assert labels.shape == (400,), f"expected 400 labels, got shape {labels.shape}"
    assert np.all(labels == np.round(labels)), "the labels should be whole numbers"
    labels = labels.astype(int)
    assert centroids.shape == (4, 2), f"expected centroids of shape (4, 2), got {centroids.shape}"
    best = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X).inertia_
    # the checks' own inertia of what you returned
    W = float(np.sum((X - centroids[labels]) ** 2))
    assert W <= best * (1 + 1e-6), f"inertia {W:.2f}, but a better clustering has {best:.2f}"
