import numpy as np
import pytest


def _data(seed, n=40, d=4, scale=1.0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
    y = rng.integers(0, 2, size=n).astype(float)
    w = scale * rng.normal(size=d)
    return w, X, y


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "np.exp(z) / (1 + np.exp(z)) is inf / inf = nan at z = 1000; use 1 / (1 + np.exp(-z)), or "
    "better a form that never overflows."
)
def test_sigmoid_extremes(nb):
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    got = np.asarray(nb.function("sigmoid")(z), dtype=float)
    assert not np.isnan(got).any(), "sigmoid produced nan"
    assert np.all((got >= 0) & (got <= 1)), "sigmoid must return values in [0, 1]"
    expected = [0.0, 4.248354255291589e-18, 0.5, 1.0, 1.0]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-15)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "The mean over the samples of log(1 + exp(z_i)) - y_i z_i, with z = X @ w "
    "(equal to the mean cross-entropy)."
)
def test_logistic_loss_random(nb):
    logistic_loss = nb.function("logistic_loss")
    for seed in (301, 302):
        w, X, y = _data(seed)
        p = 1 / (1 + np.exp(-(X @ w)))
        expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        got = logistic_loss(w, X, y)
        assert np.ndim(got) == 0, "logistic_loss must return a single number"
        np.testing.assert_allclose(float(got), expected, rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint(
    "With |z| in the hundreds, log(1 - sigmoid(z)) is log(0) = -inf: compute log(1 + exp(z)) "
    "with np.logaddexp(0, z) instead."
)
def test_logistic_loss_large_margins(nb, ref):
    w, X, y = _data(303, n=30, scale=200.0)
    got = float(nb.function("logistic_loss")(w, X, y))
    assert np.isfinite(got), f"the loss is {got} for large margins; it must stay finite"
    np.testing.assert_allclose(got, ref.logistic_loss(w, X, y), rtol=1e-9)


@pytest.mark.points(2)
@pytest.mark.hint(
    "Differentiate log(1 + exp(z)) - y z with respect to z first (sigma' = sigma (1 - sigma) "
    "helps), then apply the chain rule through z = X @ w and average over the n samples."
)
def test_logistic_grad_matches_numerical(nb, ref):
    logistic_grad = nb.function("logistic_grad")
    for seed, d in ((304, 4), (305, 6)):
        w, X, y = _data(seed, n=50, d=d)
        got = np.asarray(logistic_grad(w, X, y), dtype=float)
        assert got.shape == (d,), f"expected shape ({d},), got {got.shape}"
        numerical = ref.fd_gradient(lambda v: ref.logistic_loss(v, X, y), w)
        np.testing.assert_allclose(got, numerical, rtol=1e-6, atol=1e-9)


@pytest.mark.points(0.5)
@pytest.mark.hint("The gradient must stay finite (and correct) when |X @ w| is in the hundreds.")
def test_logistic_grad_large_margins(nb):
    w, X, y = _data(306, n=30, scale=200.0)
    got = np.asarray(nb.function("logistic_grad")(w, X, y), dtype=float)
    assert np.all(np.isfinite(got)), "the gradient is not finite for large margins"
    z = X @ w
    expected = X.T @ (np.exp(-np.logaddexp(0.0, -z)) - y) / len(y)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
