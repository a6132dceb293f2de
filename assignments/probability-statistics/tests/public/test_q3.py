import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "The MLE of the rate is not the mean waiting time: set the derivative of n log(rate) - rate * "
    "sum(x) to zero."
)
def test_exponential_rate_mle_example(nb):
    got = nb.function("exponential_rate_mle")(np.array([1.0, 3.0, 2.0, 6.0]))
    assert np.ndim(got) == 0, "exponential_rate_mle must return a single number"
    np.testing.assert_allclose(float(got), 1 / 3, rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("Sum the log-density log(rate) - rate * x_i over the sample.")
def test_exponential_log_likelihood_example(nb):
    got = nb.function("exponential_log_likelihood")(0.5, np.array([1.0, 3.0]))
    assert np.ndim(got) == 0, "exponential_log_likelihood must return a single number"
    np.testing.assert_allclose(float(got), 2 * np.log(0.5) - 2.0, rtol=1e-10)


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Set the derivative of the Poisson log-likelihood to zero: the answer is a simple summary of "
    "the counts."
)
def test_poisson_rate_mle_example(nb):
    got = nb.function("poisson_rate_mle")(np.array([0, 2, 3, 1, 4]))
    np.testing.assert_allclose(float(got), 2.0, rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Which divisor does the MLE of the variance use, n or n - 1? And return the variance, not the "
    "standard deviation."
)
def test_normal_mle_example(nb):
    got = nb.function("normal_mle")(np.array([1.0, 2.0, 3.0, 6.0]))
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (mu_hat, sigma2_hat)"
    # mean 3, squared deviations 4 + 1 + 0 + 9 = 14, divided by n = 4
    np.testing.assert_allclose([float(got[0]), float(got[1])], [3.0, 3.5], rtol=1e-10)
