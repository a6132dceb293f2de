import numpy as np
import pytest


def _call(nb, n, n_reps, sigma, seed):
    got = nb.function("variance_estimates")(n, n_reps, sigma=sigma, seed=seed)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair of averages"
    assert np.ndim(got[0]) == 0 and np.ndim(got[1]) == 0, (
        "return two numbers: the averages over the n_reps samples, not the estimates themselves"
    )
    return float(got[0]), float(got[1])


@pytest.mark.points(2)
@pytest.mark.hint(
    "E[MLE variance] = (n-1)/n * sigma^2 and E[sample variance] = sigma^2, for every n and "
    "sigma: sigma is the standard deviation of the normal you draw from."
)
def test_variance_estimates_other_n_and_sigma(nb):
    # Statistical check, exact (chi-square): n=2, 50,000 reps: 50,000 df, sd 0.0063, tol 4%
    # (6.3 sd): failure 2.9e-10; n=10, sigma=3, 5,000 reps: 45,000 df, sd 0.0067, tol 4%
    # (6 sd): failure 2.2e-9 (tolerances.py; NOTES.md).
    for n, n_reps, sigma, seed in ((2, 50_000, 1.0, 11), (10, 5_000, 3.0, 12)):
        mle_avg, s2_avg = _call(nb, n, n_reps, sigma, seed)
        biased = (n - 1) / n * sigma**2
        assert abs(mle_avg / biased - 1) <= 0.04, (
            f"n={n}, sigma={sigma}: average MLE variance {mle_avg:.4f}, expected ~{biased:.4f}"
        )
        assert abs(s2_avg / sigma**2 - 1) <= 0.04, (
            f"n={n}, sigma={sigma}: average sample variance {s2_avg:.4f}, expected ~{sigma**2}"
        )


@pytest.mark.points(1)
@pytest.mark.hint(
    "Compute both estimates on the same samples: then the MLE average is exactly (n-1)/n "
    "times the sample-variance average."
)
def test_variance_estimates_same_samples(nb):
    for n in (3, 8):
        mle_avg, s2_avg = _call(nb, n, 500, 1.5, 13)
        np.testing.assert_allclose(mle_avg, (n - 1) / n * s2_avg, rtol=1e-9, err_msg=f"n={n}")


@pytest.mark.points(1)
@pytest.mark.hint("The same seed must give the same result: draw everything from rng.")
def test_variance_estimates_reproducible(nb):
    first = _call(nb, 4, 300, 2.0, 14)
    assert _call(nb, 4, 300, 2.0, 14) == first, "the same seed gave different results"
    assert _call(nb, 4, 300, 2.0, 15) != first, "seeds 14 and 15 gave the same result"
