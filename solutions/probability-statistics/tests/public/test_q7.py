import numpy as np
import pytest
from scipy import integrate, stats


def _exact_prob_greater(a1, b1, a2, b2):
    """P(theta2 > theta1) = integral of f2(t) * F1(t) dt over [0, 1]."""
    value, _ = integrate.quad(
        lambda t: stats.beta.pdf(t, a2, b2) * stats.beta.cdf(t, a1, b1), 0, 1, epsabs=1e-12
    )
    return value


@pytest.mark.points(1)
@pytest.mark.hint("Which count adds to b: all the trials, or only the failures?")
def test_beta_binomial_update_example(nb):
    got = nb.function("beta_binomial_update")(2, 3, 7, 10)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (a_post, b_post)"
    np.testing.assert_allclose([float(got[0]), float(got[1])], [9.0, 6.0], rtol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint("The mean of Beta(a, b) is a / (a + b).")
def test_beta_mean_example(nb):
    np.testing.assert_allclose(float(nb.function("beta_mean")(9, 6)), 0.6, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "The ends are quantiles of the Beta posterior itself, leaving (1 - level) / 2 in each tail; "
    "not a normal approximation such as mean -+ 1.96 sd."
)
def test_credible_interval_example(nb):
    got = nb.function("credible_interval")(9, 6, 0.95)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (lo, hi)"
    expected = stats.beta.ppf([0.025, 0.975], 9, 6)
    np.testing.assert_allclose([float(got[0]), float(got[1])], expected, rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Draw n_draws values from each of the two Beta distributions with rng and count how often the "
    "SECOND one (a2, b2) is the larger."
)
def test_prob_greater_close_to_exact(nb):
    # Statistical check: the count is Binomial(200000, p) with p = 0.7475 computed exactly by
    # integration; |estimate - p| > 0.01 (10 sd) has probability below 1e-20 (NOTES.md).
    got = nb.function("prob_greater")(3, 9, 5, 7, 200_000, seed=0)
    assert np.ndim(got) == 0, "prob_greater must return a single number"
    exact = _exact_prob_greater(3, 9, 5, 7)
    assert abs(float(got) - exact) <= 0.01, f"got {float(got):.4f}, exact {exact:.4f}"
