import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "Labels can be strings (here segment names) or any integers: find the classes and the "
    "clusters with np.unique, rows and columns in sorted order, integer counts."
)
def test_contingency_table_string_labels(nb, ref, segments):
    X, names = segments
    clusters = ref.sklearn_from(X, X[:4]).labels_ * 10 + 3  # clusters named 3, 13, 23, 33
    got = np.asarray(nb.function("contingency_table")(names, clusters))
    expected = ref.contingency(list(names), list(clusters))
    assert got.shape == expected.shape, f"expected shape {expected.shape}, got {got.shape}"
    assert np.issubdtype(got.dtype, np.integer), f"expected integer counts, got dtype {got.dtype}"
    np.testing.assert_array_equal(got, expected)


@pytest.mark.points(1)
@pytest.mark.hint(
    "adjusted_rand_index must agree with sklearn's adjusted_rand_score on any labels, strings "
    "included, and for clusterings good and poor."
)
def test_adjusted_rand_index_hidden_segments(nb, ref, segments):
    X, names = segments
    ari = nb.function("adjusted_rand_index")
    poor = ref.sklearn_from(X, X[:4]).labels_  # a poor local optimum
    good = ref.sklearn_kmeans(X, n_clusters=4, n_init=10, random_state=0).labels_
    for pred, what in ((poor, "poor"), (good, "good")):
        got = ari(names, pred)
        assert np.ndim(got) == 0, "adjusted_rand_index must return a single number"
        np.testing.assert_allclose(float(got), ref.adjusted_rand_score(names, pred), rtol=1e-9,
                                   err_msg=f"ARI of the {what} clustering")  # fmt: skip


@pytest.mark.points(1)
@pytest.mark.hint(
    "Purity takes, for each CLUSTER (column of the table), its largest class count: max over "
    "axis 0, summed, over n."
)
def test_purity_hidden_segments(nb, ref, segments):
    X, names = segments
    pred = ref.sklearn_from(X, X[:4]).labels_
    got = nb.function("purity")(names, pred)
    assert np.ndim(got) == 0, "purity must return a single number"
    np.testing.assert_allclose(float(got), ref.purity(names, pred), rtol=1e-12)
    # more clusters than classes: every cluster counts once, the table is not square
    rng = np.random.default_rng(701)
    pred = rng.integers(0, 9, size=len(names))
    np.testing.assert_allclose(float(nb.function("purity")(names, pred)), ref.purity(names, pred),
                               rtol=1e-12, err_msg="9 random clusters")  # fmt: skip


@pytest.mark.points(1)
@pytest.mark.hint(
    "The ARI is about 0 for a random partition, can be negative, and is 1 for the same partition "
    "under other cluster names."
)
def test_adjusted_rand_index_random_partitions(nb, ref):
    rng = np.random.default_rng(702)
    ari = nb.function("adjusted_rand_index")
    a, b = rng.integers(0, 4, size=2000), rng.integers(0, 6, size=2000)
    expected = ref.adjusted_rand_score(a, b)
    np.testing.assert_allclose(float(ari(a, b)), expected, rtol=1e-7, atol=1e-12)
    worse = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])  # ARI = -0.5
    np.testing.assert_allclose(float(ari(*worse)), ref.adjusted_rand_score(*worse), atol=1e-12)
    perm = np.array([5, 2, 0, 3, 1, 4])[b]
    np.testing.assert_allclose(float(ari(b, perm)), 1.0, rtol=1e-12, err_msg="renamed clusters")


@pytest.mark.points(1)
@pytest.mark.hint(
    "digits_labels = kmeans_best_of(Z_digits, 10, n_init=5, seed=0)[1]: a converged k-means "
    "clustering of your 10 PCA scores Z_digits (every point at its nearest cluster mean)."
)
def test_digits_clustering(nb, ref):
    Z = np.asarray(nb["Z_digits"], dtype=float)
    labels = np.asarray(nb["digits_labels"])
    assert labels.shape == (1797,), f"digits_labels: expected shape (1797,), got {labels.shape}"
    assert Z.shape == (1797, 10), f"Z_digits: expected shape (1797, 10), got {Z.shape}"
    clusters = np.unique(labels)
    assert len(clusters) == 10, f"expected 10 clusters, got {len(clusters)}"
    means = np.array([Z[labels == c].mean(axis=0) for c in clusters])
    nearest = clusters[np.argmin(ref.squared_distances(Z, means), axis=1)]
    moved = int(np.sum(nearest != labels))
    assert moved == 0, f"{moved} digits are nearer another cluster's mean: not a converged k-means"


@pytest.mark.points(0.5)
@pytest.mark.hint("digits_purity = purity(y_digits, digits_labels).")
def test_digits_purity(nb, ref):
    _, y, _ = ref.digits_scores()
    labels = np.asarray(nb["digits_labels"])
    assert labels.shape == (1797,), f"digits_labels: expected shape (1797,), got {labels.shape}"
    np.testing.assert_allclose(float(nb["digits_purity"]), ref.purity(y, labels), rtol=1e-9)
