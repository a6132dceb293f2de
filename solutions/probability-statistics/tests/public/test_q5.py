import numpy as np
import pytest

# A small skewed sample (minutes to resolve 15 tickets).
SAMPLE = np.array([3.1, 0.4, 7.9, 1.2, 2.2, 15.6, 0.9, 4.4, 2.8, 1.7, 6.3, 0.2, 9.8, 3.6, 1.1])


def _reference_bootstrap_means(x, n_ref, seed):
    """The bootstrap distribution of the mean, sorted, from n_ref resamples (independent route)."""
    rng = np.random.default_rng(seed)
    out = [
        x[rng.integers(0, len(x), size=(50_000, len(x)))].mean(axis=1)
        for _ in range(n_ref // 50_000)
    ]
    return np.sort(np.concatenate(out))


def _check_endpoint(ref, value, q, delta, name):
    # Where `value` sits in the bootstrap distribution: P*(T <= value) and P*(T < value).
    le = np.searchsorted(ref, value, side="right") / len(ref)
    lt = np.searchsorted(ref, value, side="left") / len(ref)
    assert le >= q - delta and lt <= q + delta, (
        f"{name} = {value:.4f} is the {le:.3f} quantile of the bootstrap distribution; "
        f"expected the {q:.3f} quantile (tolerance {delta})"
    )


@pytest.mark.points(1)
@pytest.mark.hint(
    "The interval leaves (1 - level) / 2 in each tail; np.percentile takes percents (0 to 100), "
    "not fractions."
)
def test_percentile_interval_example(nb):
    percentile_interval = nb.function("percentile_interval")
    values = np.arange(101.0)
    for level, expected in ((0.95, [2.5, 97.5]), (0.9, [5.0, 95.0])):
        got = percentile_interval(values, level)
        assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (lo, hi)"
        np.testing.assert_allclose([float(got[0]), float(got[1])], expected, rtol=1e-12)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "A bootstrap sample has len(x) values drawn WITH replacement from x; compute the statistic on "
    "each of the n_boot samples and take the percentile interval at the given level."
)
def test_bootstrap_ci_of_a_mean(nb):
    # Statistical check: your draws differ from ours, so each end is judged by where it falls
    # in the bootstrap distribution (estimated from 400,000 reference resamples): the lower end
    # must be its 0.025 quantile and the upper end its 0.975 quantile, within 0.01. With
    # n_boot = 20,000 a correct function fails with probability below 4e-9 (a binomial tail,
    # tolerances.py; NOTES.md).
    got = nb.eval(
        "bootstrap_ci(x, __import__('numpy').mean, n_boot=20_000, level=0.95, seed=3)", x=SAMPLE
    )
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (lo, hi)"
    lo, hi = float(got[0]), float(got[1])
    assert lo < hi, f"expected lo < hi, got ({lo}, {hi})"
    ref = _reference_bootstrap_means(SAMPLE, 400_000, seed=1234)
    _check_endpoint(ref, lo, 0.025, 0.01, "lo")
    _check_endpoint(ref, hi, 0.975, 0.01, "hi")
