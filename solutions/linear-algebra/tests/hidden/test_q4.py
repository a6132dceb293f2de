import numpy as np
import pytest
from numpy.polynomial import polynomial as P


def _noisy(seed, n=50):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 3.0, size=n)
    y = 1.0 - 0.5 * x + 0.25 * x**2 + rng.normal(scale=0.3, size=n)
    return x, y


@pytest.mark.points(1)
@pytest.mark.hint(
    "design_matrix(x, degree) has len(x) rows and degree + 1 columns x**0 .. x**degree."
)
def test_design_matrix_matches_vandermonde(nb):
    x = np.random.default_rng(41).normal(size=12)
    design_matrix = nb.function("design_matrix")
    for degree in (0, 1, 4):
        got = np.asarray(design_matrix(x, degree))
        assert got.shape == (12, degree + 1), f"expected shape {(12, degree + 1)}, got {got.shape}"
        np.testing.assert_allclose(got, np.vander(x, degree + 1, increasing=True), rtol=1e-12)


@pytest.mark.points(1.5)
@pytest.mark.hint("The normal equations must give the least-squares coefficients [c0, c1, ...].")
def test_fit_normal_equations_noisy_data(nb):
    fit = nb.function("fit_normal_equations")
    x, y = _noisy(42)
    for degree in (1, 2, 3):
        got = np.asarray(fit(x, y, degree))
        assert got.shape == (degree + 1,), f"degree {degree}: expected {degree + 1} coefficients"
        np.testing.assert_allclose(got, P.polyfit(x, y, degree), rtol=1e-6, atol=1e-8)


@pytest.mark.points(1.5)
@pytest.mark.hint("np.linalg.lstsq on the design matrix gives the least-squares coefficients.")
def test_fit_lstsq_noisy_data(nb):
    fit = nb.function("fit_lstsq")
    x, y = _noisy(43)
    for degree in (1, 2, 3):
        got = np.asarray(fit(x, y, degree))
        assert got.shape == (degree + 1,), f"degree {degree}: expected {degree + 1} coefficients"
        np.testing.assert_allclose(got, P.polyfit(x, y, degree), rtol=1e-6, atol=1e-8)


@pytest.mark.points(0.5)
@pytest.mark.hint("A degree-0 fit is the constant that minimises the squared error: the mean of y.")
def test_degree_zero_fit_is_mean(nb):
    x, y = _noisy(44, n=9)
    for name in ("fit_normal_equations", "fit_lstsq"):
        got = np.ravel(np.asarray(nb.function(name)(x, y, 0)))
        np.testing.assert_allclose(got, [y.mean()], rtol=1e-10, err_msg=name)


@pytest.mark.points(1)
@pytest.mark.hint(
    "fit_lstsq must call np.linalg.lstsq on the design matrix itself: forming X.T @ X squares "
    "the condition number and loses the accuracy a degree-12 fit needs."
)
def test_fit_lstsq_stays_accurate_when_ill_conditioned(nb):
    x = np.linspace(0.0, 1.0, 40)
    c_true = np.random.default_rng(45).normal(size=13)
    y = np.vander(x, 13, increasing=True) @ c_true
    got = np.asarray(nb.function("fit_lstsq")(x, y, 12))
    assert got.shape == (13,), f"expected 13 coefficients, got shape {got.shape}"
    np.testing.assert_allclose(got, c_true, atol=1e-5)
