import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler


def _check_eigenpair(result, lam_expected, v_expected):
    assert isinstance(result, (tuple, list)) and len(result) == 2, "return a pair (lam, v)"
    lam, v = result
    v = np.asarray(v, dtype=float)
    np.testing.assert_allclose(float(lam), lam_expected, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(v), 1.0, rtol=1e-8, err_msg="v must have norm 1")
    # eigenvectors are defined up to sign
    np.testing.assert_allclose(abs(v @ v_expected), 1.0, atol=1e-6)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Multiply by A, divide by the norm, repeat; lam is the Rayleigh quotient v @ A @ v."
)
def test_power_iteration_diagonal(nb):
    got = nb.function("power_iteration")(np.diag([3.0, 1.0, 0.5]))
    _check_eigenpair(got, 3.0, np.array([1.0, 0.0, 0.0]))


@pytest.mark.points(1)
@pytest.mark.hint("The dominant eigenvector of [[2, 1], [1, 2]] is (1, 1) / sqrt(2), eigenvalue 3.")
def test_power_iteration_symmetric_2x2(nb):
    got = nb.function("power_iteration")(np.array([[2.0, 1.0], [1.0, 2.0]]))
    _check_eigenpair(got, 3.0, np.array([1.0, 1.0]) / np.sqrt(2))


@pytest.mark.points(1)
@pytest.mark.hint(
    "pc1_variance_ratio = (largest eigenvalue of C_wine) / np.trace(C_wine), "
    "with the eigenvalue from your power_iteration."
)
def test_pc1_variance_ratio(nb):
    got = nb["pc1_variance_ratio"]
    assert isinstance(got, (float, np.floating)), (
        f"pc1_variance_ratio should be a float, got {type(got).__name__}"
    )
    Z = StandardScaler().fit_transform(load_wine().data)
    expected = PCA(n_components=1).fit(Z).explained_variance_ratio_[0]
    np.testing.assert_allclose(float(got), expected, rtol=1e-6)
