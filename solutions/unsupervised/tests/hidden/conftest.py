"""Reference implementations shared by the hidden checks, as the `ref` fixture.

Written for clarity and, where there is one, by another route than the solution notebook: PCA
from the eigenvectors of the covariance matrix (not the SVD), distances and Lloyd's algorithm
with explicit loops over the centroids, contingency tables by counting pairs of labels.
Every check runs its numerical libraries on one thread (threadpoolctl, an autouse fixture): the
check worker shares the machine with the kernels, and BLAS and OpenMP threads waiting on each
other made a 3 ms KMeans fit take 0.4 s and 40 ms of eigendecompositions take 1 s.
"""

import functools
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, silhouette_samples, silhouette_score
from threadpoolctl import ThreadpoolController


def squared_distances(X, C):
    X, C = np.asarray(X, dtype=float), np.asarray(C, dtype=float)
    out = np.empty((len(X), len(C)))
    for j, c in enumerate(C):
        out[:, j] = np.sum((X - c) ** 2, axis=1)
    return out


def lloyd(X, C, max_iter=100):
    """Lloyd's algorithm as the notebook specifies it: (centroids, labels, inertia)."""
    X = np.asarray(X, dtype=float)
    C = np.array(C, dtype=float)
    labels = np.argmin(squared_distances(X, C), axis=1)
    for _ in range(max_iter):
        for j in range(len(C)):
            if np.any(labels == j):
                C[j] = X[labels == j].mean(axis=0)
        new = np.argmin(squared_distances(X, C), axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return C, labels, float(np.sum((X - C[labels]) ** 2))


def sklearn_kmeans(X, **params):
    """scikit-learn's KMeans fitted on X."""
    return KMeans(**params).fit(X)


def sklearn_from(X, init):
    """scikit-learn's run from the given start (one run, until the assignment is stable)."""
    return sklearn_kmeans(X, n_clusters=len(init), init=np.asarray(init, dtype=float),
                          n_init=1, tol=0, algorithm="lloyd")  # fmt: skip


def scan(X, ks, seed=0):
    """The reference of Q6's scan_k."""
    inertias, sils = [], []
    for k in ks:
        model = KMeans(n_clusters=int(k), n_init=5, random_state=seed).fit(X)
        inertias.append(model.inertia_)
        sils.append(silhouette_score(X, model.labels_))
    return np.array(inertias), np.array(sils)


def pca_eigh(X):
    """(mean, components as rows, explained variance ratios) from the covariance's eigenvectors."""
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False))
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)
    return mean, vectors[:, order].T, values / values.sum()


def reconstruction_error(X, k):
    """Mean squared reconstruction error with k components, with X's own PCA."""
    X = np.asarray(X, dtype=float)
    mean, comps, _ = pca_eigh(X)
    V = comps[:k].T
    Xc = X - mean
    return float(np.mean(np.sum((Xc - Xc @ V @ V.T) ** 2, axis=1)))


def assert_rows_up_to_sign(got, expected, atol, name):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, f"{name}: expected shape {expected.shape}, got {got.shape}"
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        sign = 1.0 if g @ e >= 0 else -1.0
        np.testing.assert_allclose(sign * g, e, atol=atol, err_msg=f"{name}, row {i} (up to sign)")


def match_centroids(got, expected, atol=1e-7):
    """The permutation p with got[p[j]] ~ expected[j] for every j, or an assertion error."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, f"expected {expected.shape} centroids, got {got.shape}"
    perm = [int(np.argmin(np.sum((got - e) ** 2, axis=1))) for e in expected]
    assert len(set(perm)) == len(perm), "the centroids do not match the expected ones"
    np.testing.assert_allclose(got[perm], expected, atol=atol, rtol=1e-7, err_msg="centroids")
    return np.array(perm)


def contingency(labels_true, labels_pred):
    classes, clusters = sorted(set(labels_true)), sorted(set(labels_pred))
    table = np.zeros((len(classes), len(clusters)), dtype=int)
    index_c = {c: i for i, c in enumerate(classes)}
    index_k = {k: j for j, k in enumerate(clusters)}
    for t, p in zip(labels_true, labels_pred, strict=True):
        table[index_c[t], index_k[p]] += 1
    return table


def purity(labels_true, labels_pred):
    table = contingency(list(labels_true), list(labels_pred))
    return table.max(axis=0).sum() / table.sum()


def blobs():
    """The notebook's X_blobs and its start C0."""
    X, _ = make_blobs(n_samples=400, centers=4, cluster_std=1.2, random_state=7)
    return X, X[:4].copy()


@functools.cache
def mystery():
    X, _ = make_blobs(n_samples=500, n_features=4, centers=5, cluster_std=2.0, random_state=42)
    return X, np.arange(2, 9)


@functools.cache
def digits_scores():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    mean, comps, _ = pca_eigh(X)
    return (X - mean) @ comps[:10].T, y, X


# found once: threadpool_limits would look for the libraries again at every check
_threadpools = ThreadpoolController()


@pytest.fixture(autouse=True)
def _one_thread():
    """Every hidden check runs its numerical libraries on one thread (see above)."""
    with _threadpools.limit(limits=1):
        yield


@pytest.fixture
def ref():
    return SimpleNamespace(
        squared_distances=squared_distances,
        lloyd=lloyd,
        sklearn_kmeans=sklearn_kmeans,
        sklearn_from=sklearn_from,
        scan=scan,
        pca_eigh=pca_eigh,
        reconstruction_error=reconstruction_error,
        assert_rows_up_to_sign=assert_rows_up_to_sign,
        match_centroids=match_centroids,
        contingency=contingency,
        purity=purity,
        blobs=blobs,
        mystery=mystery,
        digits_scores=digits_scores,
        adjusted_rand_score=adjusted_rand_score,
        silhouette_samples=silhouette_samples,
        silhouette_score=silhouette_score,
    )


@pytest.fixture
def segments(hidden_data):
    """The hidden labelled data: (X (300, 5), segment names as a str array)."""
    table = pd.read_csv(Path(hidden_data) / "segments.csv")
    X = table[[f"f{i}" for i in range(1, 6)]].to_numpy(dtype=float)
    return X, table["segment"].to_numpy().astype(str)
