import numpy as np
import pytest


@pytest.mark.points(2)
@pytest.mark.hint(
    "Each of the n_reps samples gets both variance estimates; return the average of each over the "
    "samples. numpy's normal takes the standard deviation, not the variance. For n = 5, sigma = 2 "
    "expect about 3.2 and 4."
)
def test_variance_estimates_n5(nb):
    # Statistical check, exact: the sum of the n_reps sums of squares is sigma^2 times a
    # chi-square with n_reps * (n - 1) = 80,000 degrees of freedom, so the average MLE
    # variance / ((n-1)/n sigma^2) has sd 0.005; a 3% tolerance is 6 sd and a correct function
    # fails with probability 2.1e-9 (scipy.stats.chi2, tolerances.py; NOTES.md).
    got = nb.function("variance_estimates")(5, 20_000, sigma=2.0, seed=0)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair of averages"
    assert np.ndim(got[0]) == 0 and np.ndim(got[1]) == 0, (
        "return two numbers: the averages over the n_reps samples, not the estimates themselves"
    )
    mle_avg, s2_avg = float(got[0]), float(got[1])
    assert abs(mle_avg / 3.2 - 1) <= 0.03, f"average MLE variance {mle_avg:.3f}, expected ~3.2"
    assert abs(s2_avg / 4.0 - 1) <= 0.03, f"average sample variance {s2_avg:.3f}, expected ~4"
