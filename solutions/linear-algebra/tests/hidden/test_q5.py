import numpy as np
import pytest


def _symmetric_with_spectrum(eigenvalues, seed):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues), len(eigenvalues))))
    return Q @ np.diag(eigenvalues) @ Q.T


def _unpack(result, n):
    assert isinstance(result, (tuple, list)) and len(result) == 2, "return a pair (lam, v)"
    lam, v = result
    assert np.ndim(lam) == 0, "lam must be a single number"
    v = np.asarray(v, dtype=float)
    assert v.shape == (n,), f"expected v of shape ({n},), got {v.shape}"
    np.testing.assert_allclose(np.linalg.norm(v), 1.0, rtol=1e-8, err_msg="v must have norm 1")
    return float(lam), v


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "On a symmetric matrix the result must match np.linalg.eigh's largest |eigenvalue|."
)
def test_power_iteration_random_symmetric(nb):
    A = _symmetric_with_spectrum([5.0, 2.0, 1.0, 0.5, -1.0, 0.1], seed=51)
    lam, v = _unpack(nb.function("power_iteration")(A), 6)
    w, V = np.linalg.eigh(A)
    i = np.argmax(np.abs(w))
    np.testing.assert_allclose(lam, w[i], rtol=1e-8)
    np.testing.assert_allclose(abs(v @ V[:, i]), 1.0, atol=1e-8)
    np.testing.assert_allclose(A @ v, lam * v, atol=1e-7)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "When the dominant eigenvalue is negative, v flips sign at every step: test convergence "
    "with min(||w - v||, ||w + v||) and return the Rayleigh quotient v @ A @ v (negative here)."
)
def test_power_iteration_negative_dominant_eigenvalue(nb):
    A = _symmetric_with_spectrum([-6.0, 3.0, 1.0, 0.5], seed=52)
    lam, v = _unpack(nb.function("power_iteration")(A), 4)
    np.testing.assert_allclose(lam, -6.0, rtol=1e-8)
    np.testing.assert_allclose(A @ v, lam * v, atol=1e-7)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Power iteration also works for a non-symmetric matrix with a real dominant eigenvalue."
)
def test_power_iteration_non_symmetric(nb):
    rng = np.random.default_rng(53)
    S = rng.normal(size=(5, 5)) + 5 * np.eye(5)
    A = S @ np.diag([4.0, -2.0, 1.5, 1.0, 0.2]) @ np.linalg.inv(S)
    lam, v = _unpack(nb.function("power_iteration")(A), 5)
    np.testing.assert_allclose(lam, 4.0, rtol=1e-6)
    np.testing.assert_allclose(A @ v, lam * v, atol=1e-6)


@pytest.mark.points(1)
@pytest.mark.hint("The answer must not depend on the random start vector (the seed), up to sign.")
def test_power_iteration_seed_independent(nb):
    A = _symmetric_with_spectrum([3.0, 1.0, 1.0, -0.5, 0.2], seed=54)
    power_iteration = nb.function("power_iteration")
    lam0, v0 = _unpack(power_iteration(A, seed=0), 5)
    lam1, v1 = _unpack(power_iteration(A, seed=7), 5)
    np.testing.assert_allclose(lam0, lam1, rtol=1e-8)
    np.testing.assert_allclose(abs(v0 @ v1), 1.0, atol=1e-8)


@pytest.mark.points(0.5)
@pytest.mark.hint("A 1 x 1 matrix [[a]] has eigenvalue a and eigenvector [1] (or [-1]).")
def test_power_iteration_one_by_one(nb):
    lam, _ = _unpack(nb.function("power_iteration")(np.array([[-2.5]])), 1)
    np.testing.assert_allclose(lam, -2.5, rtol=1e-12)
