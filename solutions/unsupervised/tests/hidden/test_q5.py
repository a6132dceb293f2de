import numpy as np
import pytest


@pytest.mark.points(2)
@pytest.mark.hint(
    "s(i) = (b - a) / max(a, b) with Euclidean distances in any dimension; a(i) leaves the point "
    "itself out; b(i) is the nearest OTHER cluster's mean distance. Compare with "
    "sklearn.metrics.silhouette_samples."
)
def test_silhouette_values_random(nb, ref):
    rng = np.random.default_rng(501)
    sizes = [50, 20, 7, 3]
    X = np.vstack([rng.normal(loc=3 * j, size=(m, 3)) for j, m in enumerate(sizes)])
    labels = np.repeat(np.arange(4), sizes)
    order = rng.permutation(len(X))
    X, labels = X[order], labels[order]
    got = np.asarray(nb.function("silhouette_values")(X, labels), dtype=float)
    assert got.shape == (80,), f"expected shape (80,), got {got.shape}"
    np.testing.assert_allclose(got, ref.silhouette_samples(X, labels), rtol=1e-7, atol=1e-9)
    mean = nb.function("silhouette")(X, labels)
    np.testing.assert_allclose(float(mean), ref.silhouette_score(X, labels), rtol=1e-7,
                               err_msg="silhouette")  # fmt: skip


@pytest.mark.points(1)
@pytest.mark.hint(
    "Labels can be any integers (here 3, 7 and 12, not 0, 1, 2): work with np.unique(labels). A "
    "point alone in its cluster has s = 0."
)
def test_silhouette_labels_and_singletons(nb, ref):
    rng = np.random.default_rng(502)
    X = rng.normal(size=(9, 2)) * 3
    labels = np.array([7, 7, 3, 12, 3, 3, 7, 7, 3])  # cluster 12 holds one point
    got = np.asarray(nb.function("silhouette_values")(X, labels), dtype=float)
    assert got.shape == (9,), f"expected shape (9,), got {got.shape}"
    assert got[3] == 0.0, f"the point alone in its cluster should have s = 0, got {got[3]}"
    np.testing.assert_allclose(got, ref.silhouette_samples(X, labels), rtol=1e-7, atol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint(
    "silhouette_blobs is the silhouette of labels_blobs (Q2) on X_blobs, silhouette_best that of "
    "best_blobs[1] (Q3)."
)
def test_silhouette_globals(nb, ref):
    X, C0 = ref.blobs()
    _, labels, _ = ref.lloyd(X, C0)
    np.testing.assert_allclose(float(nb["silhouette_blobs"]), ref.silhouette_score(X, labels),
                               rtol=1e-8, err_msg="silhouette_blobs")  # fmt: skip
    best_labels = np.asarray(nb.eval("best_blobs[1]"))
    assert len(np.unique(best_labels)) == 4, "best_blobs[1] should hold 4 clusters"
    np.testing.assert_allclose(float(nb["silhouette_best"]), ref.silhouette_score(X, best_labels),
                               rtol=1e-8, err_msg="silhouette_best")  # fmt: skip
