import functools

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score


def _scan(X, ks, seed=0):
    inertias, sils = [], []
    for k in ks:
        model = KMeans(n_clusters=int(k), n_init=5, random_state=seed).fit(X)
        inertias.append(model.inertia_)
        sils.append(silhouette_score(X, model.labels_))
    return np.array(inertias), np.array(sils)


def _mystery():
    X, _ = make_blobs(n_samples=500, n_features=4, centers=5, cluster_std=2.0, random_state=42)
    return X, np.arange(2, 9)


@functools.cache
def _mystery_scan():
    X, ks = _mystery()
    return _scan(X, ks)


@pytest.mark.points(1)
@pytest.mark.hint(
    "scan_k returns a pair (inertias, silhouettes), two arrays with one value per k in ks, from "
    "KMeans(n_clusters=k, n_init=5, random_state=seed)."
)
def test_scan_k_small(nb):
    X, _ = make_blobs(n_samples=120, centers=3, random_state=3)
    got = nb.function("scan_k")(X, [2, 3], seed=1)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (inertias, silhouettes)"
    inertias, sils = (np.asarray(v, dtype=float) for v in got)
    ref_inertias, ref_sils = _scan(X, [2, 3], seed=1)
    assert inertias.shape == (2,), f"inertias: expected shape (2,), got {inertias.shape}"
    assert sils.shape == (2,), f"silhouettes: expected shape (2,), got {sils.shape}"
    np.testing.assert_allclose(inertias, ref_inertias, rtol=1e-6, err_msg="inertias")
    np.testing.assert_allclose(sils, ref_sils, rtol=1e-6, err_msg="silhouettes")


@pytest.mark.points(1)
@pytest.mark.hint(
    "inertias_mystery, silhouettes_mystery = scan_k(X_mystery, ks); best_k is the k (from ks, "
    "not its position) with the highest silhouette."
)
def test_mystery_scan_and_best_k(nb):
    _, ks = _mystery()
    inertias = np.asarray(nb["inertias_mystery"], dtype=float)  # yours first: fail fast
    sils = np.asarray(nb["silhouettes_mystery"], dtype=float)
    best_k = nb["best_k"]
    ref_inertias, ref_sils = _mystery_scan()
    np.testing.assert_allclose(inertias, ref_inertias, rtol=1e-6, err_msg="inertias_mystery")
    np.testing.assert_allclose(sils, ref_sils, rtol=1e-6, err_msg="silhouettes_mystery")
    assert isinstance(best_k, (int, np.integer)), (
        f"best_k should be an int, got {type(best_k).__name__}"
    )
    assert best_k == ks[np.argmax(ref_sils)], (
        f"best_k = {best_k} is not the k of the highest silhouette"
    )


@pytest.mark.points(1)
@pytest.mark.hint(
    "Draw the elbow in the cell marked '# FIGURE: q6': ax_elbow.plot(ks, inertias_mystery, ...) "
    "(x: the k values themselves)."
)
def test_elbow_curve_is_drawn(nb):
    _, ks = _mystery()
    inertias = np.asarray(nb["inertias_mystery"], dtype=float)
    found = []
    for fig in nb.figures():
        for ax in fig["axes"]:
            for line in ax["lines"]:
                x, y = np.asarray(line["x"], dtype=float), np.asarray(line["y"], dtype=float)
                if (
                    x.shape == ks.shape
                    and y.shape == inertias.shape
                    and np.allclose(x, ks)
                    and np.allclose(y, inertias, rtol=1e-9)
                ):
                    found.append(ax)
    assert found, (
        "no figure has a line of inertias_mystery against ks (found "
        f"{sum(len(ax['lines']) for fig in nb.figures() for ax in fig['axes'])} lines in all)"
    )
