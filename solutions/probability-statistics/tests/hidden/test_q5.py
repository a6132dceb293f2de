import numpy as np
import pytest
from scipy import stats


def _reference_bootstrap_means(x, n_ref, seed, chunk=20_000):
    """The bootstrap distribution of the mean, sorted, from n_ref reference resamples."""
    rng = np.random.default_rng(seed)
    out = [
        x[rng.integers(0, len(x), size=(chunk, len(x)))].mean(axis=1) for _ in range(n_ref // chunk)
    ]
    return np.sort(np.concatenate(out))


def _exact_median_distribution(x):
    """Atoms and exact CDF of the bootstrap median of x (len(x) odd).

    The median of a resample is <= v exactly when at least (n + 1) / 2 of its n draws are
    <= v, and that count is Binomial(n, F_n(v)) with F_n the empirical CDF of x.
    """
    xs = np.sort(np.asarray(x, dtype=float))
    n = len(xs)
    assert n % 2 == 1
    atoms = np.unique(xs)
    fn = np.searchsorted(xs, atoms, side="right") / n
    return atoms, stats.binom.sf((n + 1) // 2 - 1, n, fn)


def _position(atoms, cdf, value):
    """(P*(T <= value), P*(T < value)) for a discrete distribution."""
    i = np.searchsorted(atoms, value, side="right")
    j = np.searchsorted(atoms, value, side="left")
    return (cdf[i - 1] if i else 0.0), (cdf[j - 1] if j else 0.0)


def _check(le, lt, q, delta, name, value):
    assert le >= q - delta and lt <= q + delta, (
        f"{name} = {value:.4f} is the {le:.3f} quantile of the bootstrap distribution; "
        f"expected the {q:.3f} quantile (tolerance {delta})"
    )


def _check_against_sample(ref, value, q, delta, name):
    le = np.searchsorted(ref, value, side="right") / len(ref)
    lt = np.searchsorted(ref, value, side="left") / len(ref)
    _check(le, lt, q, delta, name, value)


def _ci(nb, x, statistic, n_boot, level, seed):
    got = nb.eval(
        f"bootstrap_ci(x, __import__('numpy').{statistic}, n_boot=n_boot, level=level, seed=seed)",
        x=x,
        n_boot=n_boot,
        level=level,
        seed=seed,
    )
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (lo, hi)"
    return float(got[0]), float(got[1])


@pytest.mark.points(1)
@pytest.mark.hint(
    "percentile_interval must honour level: the ends are the (1 -+ level) / 2 quantiles."
)
def test_percentile_interval_random(nb):
    percentile_interval = nb.function("percentile_interval")
    values = np.random.default_rng(51).normal(size=999)
    for level in (0.5, 0.8, 0.99):
        got = percentile_interval(values, level)
        expected = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
        np.testing.assert_allclose(
            [float(got[0]), float(got[1])], expected, rtol=1e-12, err_msg=f"level={level}"
        )


@pytest.mark.points(2)
@pytest.mark.hint(
    "The bootstrap interval of a median must match the exact bootstrap distribution of the "
    "median: resample with replacement, the same size as x, and use level (here 0.90)."
)
def test_bootstrap_ci_median_exact(nb):
    # Statistical check against the EXACT bootstrap distribution of the median (odd n): each
    # end must sit at its quantile (0.05 / 0.95) within 0.01. With n_boot = 20,000 a correct
    # function fails with probability below 1e-8 (binomial tails, tolerances.py; NOTES.md).
    x = np.round(np.random.default_rng(52).lognormal(1.0, 0.8, size=41), 3)
    lo, hi = _ci(nb, x, "median", 20_000, 0.90, 5)
    atoms, cdf = _exact_median_distribution(x)
    _check(*_position(atoms, cdf, lo), 0.05, 0.01, "lo", lo)
    _check(*_position(atoms, cdf, hi), 0.95, 0.01, "hi", hi)


@pytest.mark.points(1)
@pytest.mark.hint("An 80% interval runs from the 10% to the 90% quantile of the bootstrap values.")
def test_bootstrap_ci_mean_level_80(nb):
    # As the public check, at level 0.8 (quantiles 0.1 / 0.9, tolerance 0.015): failure
    # probability below 5e-8 (tolerances.py).
    x = np.random.default_rng(53).exponential(3.0, size=30)
    lo, hi = _ci(nb, x, "mean", 20_000, 0.80, 6)
    ref = _reference_bootstrap_means(x, 400_000, seed=4321)
    _check_against_sample(ref, lo, 0.10, 0.015, "lo")
    _check_against_sample(ref, hi, 0.90, 0.015, "hi")


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "A sample of equal values gives the interval (c, c); the same seed must give the same interval."
)
def test_bootstrap_ci_constant_and_reproducible(nb):
    lo, hi = _ci(nb, np.full(9, 2.5), "mean", 200, 0.95, 0)
    np.testing.assert_allclose([lo, hi], [2.5, 2.5], rtol=1e-12)
    x = np.random.default_rng(54).normal(size=12)
    assert _ci(nb, x, "median", 300, 0.95, 8) == _ci(nb, x, "median", 300, 0.95, 8), (
        "the same seed gave different intervals"
    )


@pytest.mark.points(1)
@pytest.mark.hint(
    "Use your bootstrap_ci on gaps with the median and with the mean, n_boot=10_000, level 0.95 "
    "and seed=0, as the question says."
)
def test_gap_intervals(nb):
    # Statistical, as above, with n_boot = 10,000 and tolerance 0.0125: the median against its
    # exact bootstrap distribution, the mean against 200,000 reference resamples. Failure
    # probability below 1e-7 (tolerances.py; NOTES.md).
    gaps = np.asarray(
        nb.eval("__import__('pandas').read_csv('data/ticket_gaps.csv')['minutes'].to_numpy()"),
        dtype=float,
    )
    for name in ("median_gap_ci", "mean_gap_ci"):
        got = nb[name]
        assert isinstance(got, (tuple, list)) and len(got) == 2, f"{name}: expected (lo, hi)"
    atoms, cdf = _exact_median_distribution(gaps)
    lo, hi = (float(v) for v in nb["median_gap_ci"])
    _check(*_position(atoms, cdf, lo), 0.025, 0.0125, "median_gap_ci lo", lo)
    _check(*_position(atoms, cdf, hi), 0.975, 0.0125, "median_gap_ci hi", hi)
    ref = _reference_bootstrap_means(gaps, 200_000, seed=99)
    lo, hi = (float(v) for v in nb["mean_gap_ci"])
    _check_against_sample(ref, lo, 0.025, 0.0125, "mean_gap_ci lo")
    _check_against_sample(ref, hi, 0.975, 0.0125, "mean_gap_ci hi")
