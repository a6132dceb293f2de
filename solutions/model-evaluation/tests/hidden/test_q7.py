import numpy as np
import pytest


def _call(nb, predictions, f_true):
    got = nb.function("bias_variance")(predictions, f_true)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return (bias_squared, variance)"
    assert np.ndim(got[0]) == 0 and np.ndim(got[1]) == 0, "return two numbers, averaged over points"
    return float(got[0]), float(got[1])


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Average over the points (axis 1) after taking the mean and the variance over the models "
    "(axis 0); the variance uses divisor R (ddof=0)."
)
def test_bias_variance_random(nb):
    rng = np.random.default_rng(151)
    f_true = rng.normal(size=30)
    predictions = f_true + 0.4 + rng.normal(scale=0.7, size=(60, 30))
    bias_sq, variance = _call(nb, predictions, f_true)
    mean_pred = [np.mean(predictions[:, j]) for j in range(30)]
    expected_bias = np.mean([(mean_pred[j] - f_true[j]) ** 2 for j in range(30)])
    expected_var = np.mean([np.mean((predictions[:, j] - mean_pred[j]) ** 2) for j in range(30)])
    np.testing.assert_allclose(bias_sq, expected_bias, rtol=1e-10, err_msg="bias^2")
    np.testing.assert_allclose(variance, expected_var, rtol=1e-10, err_msg="variance")


@pytest.mark.points(1)
@pytest.mark.hint(
    "bias^2 + variance must equal the mean squared error of the predictions against f_true "
    "exactly, which needs the variance with divisor R (ddof=0)."
)
def test_bias_variance_decomposition_identity(nb):
    rng = np.random.default_rng(152)
    f_true = np.sin(np.linspace(0, 3, 40))
    predictions = rng.normal(loc=0.5 * f_true, scale=0.2, size=(9, 40))
    bias_sq, variance = _call(nb, predictions, f_true)
    np.testing.assert_allclose(bias_sq + variance, np.mean((predictions - f_true) ** 2), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Identical predictions have zero variance; predictions equal to f_true have zero bias and "
    "zero variance; a single model (R = 1) has zero variance."
)
def test_bias_variance_degenerate_cases(nb):
    f_true = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(_call(nb, np.tile(f_true, (5, 1)), f_true), [0.0, 0.0], atol=1e-15)
    shifted = np.tile(f_true + 2.0, (4, 1))
    np.testing.assert_allclose(_call(nb, shifted, f_true), [4.0, 0.0], rtol=1e-12, atol=1e-15)
    one_model = np.array([[0.0, 0.0, 0.0]])
    np.testing.assert_allclose(_call(nb, one_model, f_true), [1.75, 0.0], rtol=1e-12, atol=1e-15)
