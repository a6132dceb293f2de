import numpy as np
import pytest


def _fit(nb, X, k):
    got = nb.function("pca_fit")(X, k)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (mean, components, ratios)"
    return tuple(np.asarray(v, dtype=float) for v in got)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Data far from the origin: without centring, the first 'component' points at the mean. "
    "Components are orthonormal rows, in decreasing order of variance."
)
def test_pca_fit_offset_data(nb, ref):
    rng = np.random.default_rng(401)
    A = rng.normal(size=(6, 6)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2])[:, None]
    X = rng.normal(size=(80, 6)) @ A + np.array([40.0, -25.0, 10.0, 60.0, 5.0, -30.0])
    mean, comps, ratio = _fit(nb, X, 3)
    ref_mean, ref_comps, ref_ratio = ref.pca_eigh(X)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-10, err_msg="mean")
    ref.assert_rows_up_to_sign(comps, ref_comps[:3], atol=1e-7, name="components")
    np.testing.assert_allclose(comps @ comps.T, np.eye(3), atol=1e-9, err_msg="orthonormal rows")
    np.testing.assert_allclose(ratio, ref_ratio[:3], rtol=1e-8, err_msg="explained variance ratio")


@pytest.mark.points(1)
@pytest.mark.hint(
    "With fewer rows than columns (n < d), the thin SVD (full_matrices=False) still gives "
    "(n_components, d) components."
)
def test_pca_fit_wide_data(nb, ref):
    rng = np.random.default_rng(402)
    X = rng.normal(size=(10, 25)) * np.linspace(3, 0.5, 25) + 2.0
    _, comps, ratio = _fit(nb, X, 4)
    _, ref_comps, ref_ratio = ref.pca_eigh(X)
    ref.assert_rows_up_to_sign(comps, ref_comps[:4], atol=1e-7, name="components")
    np.testing.assert_allclose(ratio, ref_ratio[:4], rtol=1e-8, err_msg="explained variance ratio")


@pytest.mark.points(1)
@pytest.mark.hint(
    "pca_transform(X, mean, components) = (X - mean) @ components.T with components as ROWS; "
    "pca_reconstruct(Z, mean, components) = Z @ components + mean."
)
def test_transform_and_reconstruct(nb, ref):
    rng = np.random.default_rng(403)
    X = rng.normal(size=(30, 5)) * [4.0, 2.0, 1.0, 0.5, 0.1] + 7.0
    mean, comps, _ = ref.pca_eigh(X)
    comps = comps[:2]
    Z = np.asarray(nb.function("pca_transform")(X, mean, comps), dtype=float)
    assert Z.shape == (30, 2), f"pca_transform: expected shape (30, 2), got {Z.shape}"
    np.testing.assert_allclose(Z, (X - mean) @ comps.T, rtol=1e-9, atol=1e-9, err_msg="scores")
    back = np.asarray(nb.function("pca_reconstruct")(Z, mean, comps), dtype=float)
    assert back.shape == (30, 5), f"pca_reconstruct: expected shape (30, 5), got {back.shape}"
    np.testing.assert_allclose(back, Z @ comps + mean, rtol=1e-9, atol=1e-9,
                               err_msg="reconstruction")  # fmt: skip


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "The mean (over rows) of the SQUARED distance to the reconstruction; it equals the variance "
    "left in the discarded components (times (n-1)/n) and falls to 0 with all components."
)
def test_reconstruction_error_random(nb, ref):
    rng = np.random.default_rng(404)
    X = rng.normal(size=(60, 7)) @ rng.normal(size=(7, 7)) + 12.0
    reconstruction_error = nb.function("reconstruction_error")
    for k in (1, 3, 6, 7):
        got = reconstruction_error(X, k)
        assert np.ndim(got) == 0, "reconstruction_error must return a single number"
        np.testing.assert_allclose(float(got), ref.reconstruction_error(X, k), rtol=1e-7, atol=1e-9,
                                   err_msg=f"{k} components")  # fmt: skip


@pytest.mark.points(1)
@pytest.mark.hint(
    "Z_digits = pca_transform(X_digits, ...) with the 10 components of pca_fit, shape (1797, 10); "
    "errors_digits[i] = reconstruction_error(X_digits, ks_pca[i])."
)
def test_digits_scores_and_errors(nb, ref):
    Z = np.asarray(nb["Z_digits"], dtype=float)
    errors = np.asarray(nb["errors_digits"], dtype=float)
    assert Z.shape == (1797, 10), f"Z_digits: expected shape (1797, 10), got {Z.shape}"
    Z_ref, _, X = ref.digits_scores()
    ref.assert_rows_up_to_sign(Z.T, Z_ref.T, atol=1e-6, name="Z_digits columns")
    ks = [1, 2, 5, 10, 20, 40, 64]
    assert errors.shape == (7,), f"errors_digits: expected 7 values, got shape {errors.shape}"
    expected = [ref.reconstruction_error(X, k) for k in ks]
    np.testing.assert_allclose(errors, expected, rtol=1e-7, atol=1e-8, err_msg="errors_digits")
