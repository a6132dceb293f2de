import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint("sigmoid(z) = 1 / (1 + exp(-z)), elementwise: sigmoid(0) = 0.5.")
def test_sigmoid_values(nb):
    z = np.array([0.0, 2.0, -2.0, 0.5])
    got = np.asarray(nb.function("sigmoid")(z), dtype=float)
    assert got.shape == (4,), f"expected shape (4,), got {got.shape}"
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-z)), rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("At w = 0 every probability is 0.5, so the loss is log 2 whatever the labels.")
def test_logistic_loss_at_zero(nb):
    X = np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.5]])
    got = nb.function("logistic_loss")(np.zeros(2), X, np.array([1.0, 0.0, 0.0]))
    assert np.ndim(got) == 0, "logistic_loss must return a single number"
    np.testing.assert_allclose(float(got), np.log(2), rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Differentiate log(1 + exp(z_i)) - y_i z_i with respect to z_i, then chain through z = X @ w; "
    "the loss is a mean over the n samples, and so is its gradient."
)
def test_logistic_grad_small_example(nb):
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    y = np.array([0.0, 0.0, 1.0])
    got = np.asarray(nb.function("logistic_grad")(np.zeros(2), X, y), dtype=float)
    assert got.shape == (2,), f"expected shape (2,), got {got.shape}"
    np.testing.assert_allclose(got, [1 / 6, -1 / 6], rtol=1e-12)
