import numpy as np
import pytest
from scipy import stats


def _released(nb, name, column):
    """A column of a released CSV, read in the notebook's own folder."""
    return np.asarray(
        nb.eval(f"__import__('pandas').read_csv(path)[{column!r}].to_numpy()", path=f"data/{name}")
    )


@pytest.mark.points(1)
@pytest.mark.hint(
    "Your rate must agree with scipy's exponential fit with loc fixed at 0, whose scale is 1 / "
    "rate: a rate, not a scale."
)
def test_exponential_rate_mle_matches_scipy(nb):
    fit = nb.function("exponential_rate_mle")
    rng = np.random.default_rng(31)
    for rate in (0.01, 2.5):
        x = rng.exponential(1 / rate, size=300)
        _, scale = stats.expon.fit(x, floc=0)
        np.testing.assert_allclose(float(fit(x)), 1 / scale, rtol=1e-9, err_msg=f"rate {rate}")


@pytest.mark.points(1)
@pytest.mark.hint(
    "It must equal the sum of the exponential log-densities log(rate) - rate * x_i, for any rate."
)
def test_exponential_log_likelihood_matches_scipy(nb):
    ll = nb.function("exponential_log_likelihood")
    x = np.random.default_rng(32).exponential(4.0, size=57)
    for rate in (0.05, 0.25, 3.0):
        expected = stats.expon.logpdf(x, scale=1 / rate).sum()
        np.testing.assert_allclose(float(ll(rate, x)), expected, rtol=1e-10, err_msg=f"{rate}")


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "The MLE maximises the log-likelihood: moving the rate 1% either way must lower it."
)
def test_mle_maximises_log_likelihood(nb):
    fit, ll = nb.function("exponential_rate_mle"), nb.function("exponential_log_likelihood")
    x = np.random.default_rng(33).exponential(0.3, size=40)
    rate = float(fit(x))
    best = float(ll(rate, x))
    assert best > float(ll(rate * 1.01, x)) and best > float(ll(rate * 0.99, x)), (
        "the log-likelihood is not largest at your MLE"
    )


@pytest.mark.points(1)
@pytest.mark.hint(
    "Your pair must agree with scipy's norm.fit, whose scale is the MLE standard deviation: mind "
    "the divisor and return its square; one value gives variance 0."
)
def test_normal_mle_matches_scipy(nb):
    normal_mle = nb.function("normal_mle")
    x = np.random.default_rng(34).normal(-3.0, 0.7, size=23)
    mu, sd = stats.norm.fit(x)
    got = normal_mle(x)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (mu_hat, sigma2_hat)"
    np.testing.assert_allclose([float(got[0]), float(got[1])], [mu, sd**2], rtol=1e-9)
    single = normal_mle(np.array([4.2]))
    np.testing.assert_allclose([float(single[0]), float(single[1])], [4.2, 0.0], atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Fit the released data: rate_per_minute from gaps, incidents_per_day from incidents, and "
    "(mu_a, sigma2_a) from time_a, with the functions above."
)
def test_fits_of_the_data(nb):
    gaps = _released(nb, "ticket_gaps.csv", "minutes")
    incidents = _released(nb, "daily_incidents.csv", "incidents")
    ab = nb.eval("__import__('pandas').read_csv('data/ab_test.csv')")
    time_a = ab.loc[ab["variant"] == "A", "seconds_on_page"].to_numpy()
    for name, expected in (
        ("rate_per_minute", 1 / gaps.mean()),
        ("incidents_per_day", incidents.mean()),
        ("mu_a", time_a.mean()),
        ("sigma2_a", time_a.var()),
    ):
        got = nb[name]
        assert np.ndim(got) == 0, f"{name} must be a single number"
        np.testing.assert_allclose(float(got), expected, rtol=1e-9, err_msg=name)
