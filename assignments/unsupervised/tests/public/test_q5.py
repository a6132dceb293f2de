import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

# Five points on a line: {0, 1, 3} and {10, 12}.
X_LINE = np.array([[0.0], [1.0], [3.0], [10.0], [12.0]])
LABELS = np.array([0, 0, 0, 1, 1])


def _silhouette_by_loops(X, labels):
    D = np.abs(X - X.T)  # 1-D points: |x_i - x_j|
    s = []
    for i in range(len(X)):
        same = (labels == labels[i]) & (np.arange(len(X)) != i)
        a = D[i, same].mean()
        b = min(D[i, labels == c].mean() for c in set(labels) - {labels[i]})
        s.append((b - a) / max(a, b))
    return np.array(s)


@pytest.mark.points(1)
@pytest.mark.hint(
    "a(i) averages the distances to the OTHER points of i's cluster (divide by size - 1); b(i) is "
    "the smallest mean distance to another cluster; distances, not squared distances."
)
def test_silhouette_values_example(nb):
    got = np.asarray(nb.function("silhouette_values")(X_LINE, LABELS), dtype=float)
    assert got.shape == (5,), f"expected shape (5,), got {got.shape}"
    # e.g. the point 0: a = (1 + 3) / 2 = 2, b = (10 + 12) / 2 = 11, s = 9/11
    np.testing.assert_allclose(got, _silhouette_by_loops(X_LINE, LABELS), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("silhouette(X, labels) is the mean of silhouette_values, a float.")
def test_silhouette_blobs(nb):
    X, labels = make_blobs(n_samples=400, centers=4, cluster_std=1.2, random_state=7)
    got = nb.function("silhouette")(X, labels)
    assert np.ndim(got) == 0, "silhouette must return a single number"
    np.testing.assert_allclose(float(got), silhouette_score(X, labels), rtol=1e-8)
