import functools

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

# Six points in 3-D, mostly spread along (1, 1, 0), and not centred.
X_SMALL = np.array(
    [
        [3.0, 3.2, 1.0],
        [5.1, 4.9, 1.2],
        [7.0, 7.1, 0.8],
        [9.2, 8.8, 1.1],
        [11.0, 11.1, 0.9],
        [13.1, 12.9, 1.0],
    ]
)


def _eigh_pca(X):
    # the checks' own PCA, from the eigenvectors of the covariance matrix
    mean = X.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False))
    order = np.argsort(values)[::-1]
    return mean, vectors[:, order].T, values[order] / values.sum()


@pytest.mark.points(1)
@pytest.mark.hint(
    "Centre X (subtract the column means) before the SVD; the components are the first rows of "
    "Vt, shape (n_components, d); the ratios are s**2 / sum(s**2) over ALL singular values."
)
def test_pca_fit_example(nb):
    got = nb.function("pca_fit")(X_SMALL, 2)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (mean, components, ratios)"
    mean, comps, ratio = (np.asarray(v, dtype=float) for v in got)
    ref_mean, ref_comps, ref_ratio = _eigh_pca(X_SMALL)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-12, err_msg="mean")
    assert comps.shape == (2, 3), f"components: expected shape (2, 3), got {comps.shape}"
    for i in range(2):
        sign = 1.0 if comps[i] @ ref_comps[i] >= 0 else -1.0
        np.testing.assert_allclose(sign * comps[i], ref_comps[i], atol=1e-8,
                                   err_msg=f"component {i} (up to sign)")  # fmt: skip
    np.testing.assert_allclose(ratio, ref_ratio[:2], rtol=1e-8, err_msg="explained variance ratio")


@pytest.mark.points(1)
@pytest.mark.hint(
    "pca_transform gives (n, k) scores; pca_reconstruct maps them back to (n, d). With all d "
    "components, reconstructing the scores gives X back."
)
def test_transform_and_reconstruct_round_trip(nb):
    mean, comps, _ = _eigh_pca(X_SMALL)
    Z = np.asarray(nb.function("pca_transform")(X_SMALL, mean, comps[:2]), dtype=float)
    assert Z.shape == (6, 2), f"pca_transform: expected shape (6, 2), got {Z.shape}"
    np.testing.assert_allclose(Z, (X_SMALL - mean) @ comps[:2].T, rtol=1e-10, atol=1e-10)
    Z3 = nb.function("pca_transform")(X_SMALL, mean, comps)
    back = np.asarray(nb.function("pca_reconstruct")(Z3, mean, comps), dtype=float)
    assert back.shape == (6, 3), f"pca_reconstruct: expected shape (6, 3), got {back.shape}"
    np.testing.assert_allclose(back, X_SMALL, rtol=1e-10, atol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "The mean over the rows of the squared distance between a row and its reconstruction: 0 with "
    "all d components; with 1 component, what is left off the first axis."
)
def test_reconstruction_error_example(nb):
    reconstruction_error = nb.function("reconstruction_error")
    mean, comps, _ = _eigh_pca(X_SMALL)
    Xc = X_SMALL - mean
    v = comps[0]
    expected = np.mean(np.sum((Xc - np.outer(Xc @ v, v)) ** 2, axis=1))
    np.testing.assert_allclose(float(reconstruction_error(X_SMALL, 1)), expected, rtol=1e-8)
    np.testing.assert_allclose(float(reconstruction_error(X_SMALL, 3)), 0.0, atol=1e-10)


@functools.cache
def _digits_evr():
    X, _ = load_digits(return_X_y=True)
    return PCA(n_components=10).fit(X).explained_variance_ratio_


@pytest.mark.points(1)
@pytest.mark.hint("evr_digits comes from pca_fit(X_digits, 10) and matches scikit-learn's PCA.")
def test_evr_digits(nb):
    got = np.asarray(nb["evr_digits"], dtype=float)
    assert got.shape == (10,), f"expected shape (10,), got {got.shape}"
    np.testing.assert_allclose(got, _digits_evr(), rtol=1e-7)
